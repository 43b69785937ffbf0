"""`make bench`: the site measured at each corpus size, against its references, in one table.

    make bench                                   # the FAQ as it is, then 1,000 entries
    make bench SIZES=1000,10000,50000
    .venv/bin/python -m bench.run --sizes 10000 --rounds 3 --budget 600 --no-http --json out.json

For the FAQ as it is (27 entries: the reference for the page-weight and throughput goals)
and for each size, in a temporary data folder: the database as `make run` builds it, topped
up with synthetic entries (bench/corpus.py); then, each in a process of its own, our index
rebuild, the FTS5 reference (bench/fts5.py) and our searches (bench/our_search.py) over the
same 66 queries (bench/queries.py); then the HTTP figures against that folder served by
gunicorn (bench/http_load.py). The table (bench/report.py) comes last, and with --doc goes
into that document too (`make bench` keeps docs/benchmark.md so); progress goes to stderr on
the way.

Nothing hangs for ever: the searches of each engine stop starting queries after --budget
seconds per size (the figures then come from what finished, and a note says so), a rebuild
that takes longer than --rebuild-limit is stopped, and each HTTP part is bounded.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import http_load, report
from bench.measure import search_figures
from bench.queries import query_set
from bench.report import get
from bench.throwaway_site import ROOT, add_corpus, prepare_site, serve_site, site_env

STARTED = time.monotonic()
NODES_LIMIT = 900  # seconds for the two-node part at any size
EXIT_MARGIN = 120  # seconds a process gets past its budget to finish the query it is on
# name, key in the results, the module run as its own process
ENGINES = (("FTS5", "fts5", ["bench.fts5"]), ("our search", "ours", ["bench.our_search", "search"]))


# The parts of a run its flags can skip: a run without one is of another kind (bench/report.py).
RUN_PARTS = {"--no-search": "search", "--no-http": "http", "--no-nodes": "nodes"}


def provenance() -> str:
    """Which code and command gave the figures, and when, for the report in docs/."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # The report itself lives in docs/ and changes no figure.
    if git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs"):
        commit += " with uncommitted changes"
    command, arguments = [], iter(sys.argv[1:])
    for arg in arguments:  # --doc and --json say where the figures went, not what they are
        if arg in ("--doc", "--json"):
            next(arguments, None)
        elif not arg.startswith(("--doc=", "--json=")):
            command.append(arg)
    when = time.strftime("%d %B %Y, %H:%M UTC", time.gmtime())
    return (
        f"`python -m bench.run {' '.join(command)}`, commit `{commit}`, {when}, "
        f"on {os.cpu_count()} cores."
    )


def doc_text(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.0f} s] {message}", file=sys.stderr, flush=True)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"sizes are whole numbers, like 1000,10000: {text!r}"
        ) from None
    if any(size < 0 for size in sizes):
        raise argparse.ArgumentTypeError("sizes are numbers of entries, 0 or more")
    return sizes


def run_child(args: list[str], data_dir: Path, out: Path, timeout: float) -> tuple[dict, str]:
    """Run `python -m <args>` against the data folder; its JSON (partial if it was stopped)
    and a note when it did not end well."""
    note = ""
    try:
        done = subprocess.run(
            [sys.executable, "-m", *args, "--out", str(out)],
            env=site_env(data_dir),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            note = f"`{args[0]}` failed: {done.stderr.strip().splitlines()[-1:]}"
    except subprocess.TimeoutExpired:
        note = f"`{' '.join(args[:2])}` was stopped after {timeout:.0f} s"
    return (json.loads(out.read_text()) if out.exists() else {}), note


def _searched(raw: dict, queries: int, rounds: int, engine: str, notes: list[str]) -> dict:
    """The search figures of one engine's process, flat, with a note if they are partial."""
    figures = {key: raw.get(key) for key in ("hit_at_1", "peak_memory_mb", "build_s")}
    figures["index_bytes"] = raw.get("index_bytes")
    figures["misses"] = raw.get("misses")
    if "search" in raw:
        timing, note = search_figures(raw["search"], queries)
        figures.update(timing or {})
        figures["rounds"] = done = raw["search"]["rounds"]
        if timing and 0 < done < rounds:
            note = f"figures from {done} of {rounds} timed passes; {note}"
        if note:
            notes.append(f"{engine}: {note}")
    return figures


def _time_searches(name: str, data_dir: Path, queries_path: Path, count: int, args, result):
    """The FTS5 reference, then ours, each in a process of its own over the same queries."""
    notes = result["notes"]
    timed = ["--queries", str(queries_path), "--rounds", str(args.rounds)]
    timed += ["--budget", str(args.budget)]
    for engine, key, module in ENGINES:
        progress(f"{name}: {engine}, {count} queries")
        raw, note = run_child(
            [*module, *timed], data_dir, data_dir / f"{key}.json", args.budget + EXIT_MARGIN
        )
        notes += [note] if note else []
        result[key] = _searched(raw, count, args.rounds, engine, notes)


def measure_size(corpus_size: int, work: Path, queries: list[dict], args) -> dict:
    data_dir = work / f"size-{corpus_size}"
    notes: list[str] = []
    name = f"{corpus_size:,} entries" if corpus_size else "the FAQ as it is"
    progress(f"{name}: the database as `make run` builds it, plus the synthetic corpus")
    started = time.monotonic()
    shutil.copytree(work / "base", data_dir, symlinks=True)
    if corpus_size:
        add_corpus(data_dir, corpus_size)
    subprocess.run(
        [sys.executable, "-m", "bench.corpus", "facts", "--out", str(data_dir / "facts.json")],
        env=site_env(data_dir),
        cwd=ROOT,
        check=True,
    )
    result = json.loads((data_dir / "facts.json").read_text())
    result["notes"] = notes
    notes.append(f"corpus loaded in {time.monotonic() - started:.0f} s (not a measured figure)")

    progress(f"{name}: rebuilding our index")
    result["rebuild"], note = run_child(
        ["bench.our_search", "rebuild"], data_dir, data_dir / "rebuild.json", args.rebuild_limit
    )
    if note or "rebuild_s" not in result["rebuild"]:
        notes.append(note or "the rebuild left no figures")
        return result
    if args.search:
        _time_searches(name, data_dir, work / "queries.json", len(queries), args, result)
    if args.http:
        progress(f"{name}: HTTP (wrk, latency, page weight)")
        result["http"] = _http(data_dir, result, queries, notes)
    if args.nodes:
        progress(f"{name}: two nodes (edits saved on one, searched for on the other)")
        result["nodes"], note = run_child(
            ["bench.nodes"], data_dir, data_dir / "nodes.json", NODES_LIMIT
        )
        notes += [note] if note else []
        if get(result, "nodes.lost"):
            notes.append(f"two nodes: {result['nodes']['lost']} edits never reached node B")
    return result


def _http(data_dir: Path, facts: dict, queries: list[dict], notes: list[str]) -> dict:
    """The HTTP figures of the served folder; what failed becomes a note."""
    texts = [query["q"] for query in queries if not query["kind"].startswith("paste")]
    # One client address sends all of wrk's requests: the search throttle would answer them
    # with 429s, and the figure would be the throttle's, not the search's.
    with serve_site(data_dir, KB_SEARCH_RATE_LIMIT=str(10**9)) as site:
        figures = http_load.measure_site(site, facts, texts)
    notes += [f"HTTP, {failure}" for failure in figures["failed"]]
    for page, wrk in figures["throughput"].items():
        if wrk and wrk["errors"]:
            notes.append(f"wrk, {page}: {wrk['errors']}")
    for name, series in {"search": figures["search_ms"], "/healthz": figures["healthz_ms"]}.items():
        if series is None or series["stopped"]:
            done = series["n"] if series else 0
            reason = series["stopped"] if series else "the first request failed"
            notes.append(f"{name} over HTTP: {done} of {len(texts)} requests, {reason}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[1000], help="e.g. 1000,10000")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the queries")
    parser.add_argument(
        "--budget", type=float, default=300, help="seconds of searching per engine and size"
    )  # noqa: E501
    parser.add_argument("--rebuild-limit", type=float, default=1800, help="seconds")
    parser.add_argument("--no-http", dest="http", action="store_false", help="skip wrk and co.")
    parser.add_argument(
        "--no-nodes", dest="nodes", action="store_false", help="skip the two-node figures"
    )
    parser.add_argument(
        "--no-search",
        dest="search",
        action="store_false",
        help="skip the timed searches (the rebuild still runs: the site needs its index)",
    )
    parser.add_argument("--dev-queries", type=Path, help="default: ../shared/eval/dev_queries.json")  # noqa: E501
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--doc",
        type=Path,
        help="also put the report into this Markdown file, replacing the last run of this kind "
        "(make bench: docs/benchmark.md)",
    )
    args = parser.parse_args()
    notes = []
    queries, note = query_set(args.dev_queries)
    notes += [note] if note else []
    if args.http and not http_load.wrk_available():
        notes.append(http_load.WRK_MISSING)
        args.http = False
    skipped = [flag for flag, wanted in RUN_PARTS.items() if not getattr(args, wanted)]
    key, stamp = report.run_key(args.sizes, skipped), provenance()
    if args.doc:  # a document the report cannot go into says so now, not after an hour
        report.with_section(doc_text(args.doc), key, "")
    for line in notes:
        progress(line)
    results, load_before = {}, os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as work:
        (Path(work) / "queries.json").write_text(json.dumps(queries))
        progress("setting a site up as `make run` does (manage.py setup_site)")
        prepare_site(Path(work) / "base")
        for corpus_size in [report.REAL, *(s for s in args.sizes if s != report.REAL)]:
            results[corpus_size] = measure_size(corpus_size, Path(work), queries, args)
            shutil.rmtree(Path(work) / f"size-{corpus_size}")  # 50,000 entries fill a disk
    notes.append(
        f"load average {load_before:.1f} before the run and {os.getloadavg()[0]:.1f} after it, "
        f"on {os.cpu_count()} cores: other work on the machine slows every figure, the ratios "
        "less than the absolute ones"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    pastes = sum(query["kind"].startswith("paste") for query in queries)
    for corpus_size, result in results.items():
        for line in result["notes"]:
            notes.append(f"{report.label(corpus_size, results)} entries: {line}")
    printed = "\n\n".join(
        [
            f"{len(queries)} queries ({len(queries) - pastes} dev, {pastes} pastes of 5 and 20 KB),"
            f" a warm-up pass then up to {args.rounds} timed passes per engine; "
            "cells: ours / reference (ratio)",
            report.table(results),
            "\n".join(f"- {line}" for line in notes),
        ]
    )
    if missed := report.misses(results):
        printed += "\n\nMisses on the dev queries (rank of the expected real entry):\n\n"
        printed += "\n".join(missed)
    print("\n" + printed)
    if args.doc:
        body = f"### {key[0].upper()}{key[1:]}\n\n{stamp}\n\n{printed}"
        args.doc.write_text(report.with_section(doc_text(args.doc), key, body))
        progress(f'the table is in {args.doc}, section "{key}": review it and commit it')


if __name__ == "__main__":
    main()
