"""Our search, measured at size: the rebuild in one process, the searches in another.

    KB_DATA_DIR=… python -m bench.our_search rebuild --out rebuild.json
    KB_DATA_DIR=… python -m bench.our_search search --queries queries.json --out search.json

`rebuild` times `kb.search.rebuild()` over the loaded database as `manage.py rebuild_index`
runs it (KB_REBUILD_PROCESSES processes) and measures the generation it wrote on disk and the
peak memory of the process and of the largest of the processes it started. `search` opens
that index as a gunicorn worker would and times `kb.search.search()` over the query set
(bench/measure.py: a warm-up pass, then timed passes within a budget), emptying its cache of
repeated searches before each query; its peak memory is what a worker that searches needs.
Separate processes, so that neither figure carries the other's memory.
"""

import argparse
import json
import time
from pathlib import Path

from bench.measure import hit_at_1, misses, peak_memory_mb, time_rounds, write_json


def directory_bytes(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def rebuild(out: Path) -> None:
    from django.conf import settings

    from kb import search

    started = time.perf_counter()
    generation = search.rebuild(processes=settings.KB_REBUILD_PROCESSES)
    result = {"rebuild_s": time.perf_counter() - started}
    result["index_bytes"] = directory_bytes(generation)
    result["peak_memory_mb"] = max(peak_memory_mb(), peak_memory_mb(children=True))
    result["processes"] = settings.KB_REBUILD_PROCESSES
    write_json(out, result)


def searches(queries_path: Path, out: Path, rounds: int, budget: float) -> None:
    from kb import search

    queries = json.loads(queries_path.read_text())

    from kb.search import analysis
    from kb.search.cache import searches

    def ranked(text: str) -> list[tuple[str, str]]:
        # Every pass asks the same queries: without this, all but the first would be answered
        # from the cache of repeated searches, and the figures would be the cache's. The terms
        # of the words seen so far are forgotten too, as if the worker had just started (one
        # that has served searches knows most words already); the synonyms a worker derives
        # once per index generation are kept, as in a worker.
        analysis.forget_words()
        searches.forget_answers()
        return [(hit.slug, hit.question) for hit in search.search(text).hits]

    result = {"memory_before_search_mb": peak_memory_mb()}
    time_rounds(ranked, queries, rounds, budget, out, result)
    result["hit_at_1"] = hit_at_1(queries, result["search"]["top"])
    result["misses"] = misses(queries, result["search"]["top"])
    write_json(out, result)


def main() -> None:
    from bench.django_env import setup_django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("rebuild").add_argument("--out", type=Path, required=True)
    timed = commands.add_parser("search")
    timed.add_argument("--queries", type=Path, required=True)
    timed.add_argument("--out", type=Path, required=True)
    timed.add_argument("--rounds", type=int, default=3)
    timed.add_argument("--budget", type=float, default=300, help="seconds for the searches")
    args = parser.parse_args()
    setup_django()
    if args.command == "rebuild":
        rebuild(args.out)
    else:
        searches(args.queries, args.out, args.rounds, args.budget)


if __name__ == "__main__":
    main()
