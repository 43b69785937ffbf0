"""Two nodes on one database, measured: how long an edit takes to reach the other node's
search, and what the freshness check costs.

    KB_DATA_DIR=… python -m bench.nodes --out nodes.json

This process is node A: it saves entries as the admin does (`Entry.save()`, which records the
change in the log and applies it to A's index once it commits). Node B is gunicorn with an
index folder of its own over the same database (a copy of A's index, as a node that was in
step before the edits). For each edit: how long the save took on A (its own index included),
and how long until a search on B over HTTP puts the edited entry first, counted from the
commit. The freshness check is the small query a worker makes at most every
KB_INDEX_CHECK_SECONDS before a search (kb/search/sync.py): timed alone, and as a whole
`follow_changes()` when it is due and nothing changed.
"""

import argparse
import json
import shutil
import statistics
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.measure import write_json
from bench.throwaway_site import serve_site

EDITS = 10
GIVE_UP_SECONDS = 30.0
CHECKS = 300


def other_node(data_dir: Path, folder: Path) -> Path:
    """Node B's data folder: its own copy of the index and the static files."""
    folder.mkdir()
    for part in ("search", "static"):
        shutil.copytree(data_dir / part, folder / part, symlinks=True)
    return folder


def first_slug(base_url: str, text: str) -> str | None:
    url = f"{base_url}/api/search?{urllib.parse.urlencode({'q': text})}"
    with urllib.request.urlopen(url, timeout=30) as response:
        results = json.loads(response.read())["results"]
    return results[0]["slug"] if results else None


def edit_reaches(base_url: str, entry, marker: str) -> tuple[float, float | None]:
    """(seconds the save took on this node, seconds from its commit until node B finds it)."""
    entry.symptoms = f"{entry.symptoms}\n{marker}"
    started = time.perf_counter()
    entry.save()  # autocommit: committed, and applied to this node's index, on return
    committed = time.perf_counter()
    while time.perf_counter() - committed < GIVE_UP_SECONDS:
        if first_slug(base_url, marker) == entry.slug:
            return committed - started, time.perf_counter() - committed
        time.sleep(0.01)
    return committed - started, None


def freshness_check_ms() -> dict:
    from django.conf import settings

    from kb.search import changes, sync

    def median_ms(work) -> float:
        timings = []
        for _ in range(CHECKS):
            started = time.perf_counter()
            work()
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)

    def follow_when_due() -> None:
        sync.look_at_once()
        sync.follow_changes()

    return {
        "query_ms": median_ms(changes.latest),
        "follow_ms": median_ms(follow_when_due),
        "interval_s": settings.KB_INDEX_CHECK_SECONDS,
    }


def measure(data_dir: Path, out: Path) -> None:
    from django.conf import settings

    from kb.content.models import Entry

    result = {"freshness": freshness_check_ms(), "save_s": [], "reach_s": [], "lost": 0}
    database = f"sqlite:///{settings.DATABASES['default']['NAME']}"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        database = None  # the environment's DATABASE_URL reaches node B as it is
    node_b = other_node(data_dir, data_dir.parent / f"{data_dir.name}-node-b")
    node_settings = {"KB_SEARCH_RATE_LIMIT": str(10**9)}
    if database:
        node_settings["DATABASE_URL"] = database
    try:
        with serve_site(node_b, workers=2, **node_settings) as site:
            first_slug(site.base_url, "429")  # B is up and has opened its index
            entries = list(Entry.objects.published().order_by("?")[:EDITS])
            for number, entry in enumerate(entries):
                saved, reached = edit_reaches(site.base_url, entry, f"zqxbenchnode{number}x")
                result["save_s"].append(saved)
                if reached is None:
                    result["lost"] += 1
                else:
                    result["reach_s"].append(reached)
    finally:
        shutil.rmtree(node_b, ignore_errors=True)
    for key in ("save_s", "reach_s"):
        values = result[key]
        result[key] = {
            "p50": statistics.median(values) if values else None,
            "max": max(values) if values else None,
            "n": len(values),
        }
    write_json(out, result)


def main() -> None:
    from bench.django_env import setup_django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    measure(Path(settings.DATA_DIR), args.out)


if __name__ == "__main__":
    main()
