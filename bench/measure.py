"""What both search engines' benchmark processes share: timing rounds of queries within a time
budget, percentiles, relevance on the dev queries, peak memory, and results written as JSON.

A process runs one warm-up pass over the queries (timed, but kept apart from the figures),
then `rounds` timed passes; it stops starting queries once `budget` seconds have gone, and
writes what it has every few seconds and at the end, so a process stopped from outside still
leaves its figures behind.
"""

import json
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path

from bench.corpus import is_synthetic

# A search returns its ranked hits as (slug, question) pairs, best first.
Hits = list[tuple[str, str]]
WRITE_EVERY = 2.0  # seconds between partial writes


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest sample with `share` of them at or below it."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def summary(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50": percentile(samples, 0.50),
        "p95": percentile(samples, 0.95),
        "max": max(samples),
    }


def peak_memory_mb(children: bool = False) -> float:
    """This process's peak resident memory, or with `children` the largest of those it waited
    for."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def write_json(path: Path, data: dict) -> None:
    """Atomically, so a reader never sees half a file."""
    temporary = Path(f"{path}.tmp")
    temporary.write_text(json.dumps(data, indent=1))
    os.replace(temporary, path)


def hit_at_1(queries: list[dict], top_hits: list[Hits]) -> float | None:
    """The share of dev queries whose first hit is a real entry with an expected phrase in its
    question (score.py's rule, with synthetic entries never counting as the expected one)."""
    if len(top_hits) < len(queries):  # the warm-up pass did not finish
        return None
    scored = [
        (query, hits) for query, hits in zip(queries, top_hits, strict=True) if query["expect"]
    ]
    if not scored:
        return None
    hits_first = 0
    for query, hits in scored:
        if hits and not is_synthetic(hits[0][0]):
            question = hits[0][1].lower()
            hits_first += any(phrase.lower() in question for phrase in query["expect"])
    return hits_first / len(scored)


MISS_DEPTH = 10  # hits kept per query of the first pass, to rank a miss


def expected_rank(query: dict, hits: Hits) -> int | None:
    """Where the first real entry with an expected phrase in its question is among the hits
    (1 is first), or None when it is not among them."""
    for rank, (slug, question) in enumerate(hits, 1):
        if not is_synthetic(slug) and any(p.lower() in question.lower() for p in query["expect"]):
            return rank
    return None


def misses(queries: list[dict], top_hits: list[Hits]) -> list[dict]:
    """The dev queries whose first hit is not the expected real entry: the query, where the
    expected entry is (None: not in the first MISS_DEPTH) and what came first instead, so a
    regression shows in the benchmark's output, not only as a lower hit@1."""
    found = []
    for query, hits in zip(queries, top_hits, strict=False):
        if query["expect"]:
            rank = expected_rank(query, hits)
            if rank != 1:
                first = hits[0][0] if hits else None
                found.append({"q": query["q"][:80], "rank": rank, "first": first})
    return found


def time_rounds(
    search: Callable[[str], Hits],
    queries: list[dict],
    rounds: int,
    budget: float,
    out: Path,
    result: dict,
) -> dict:
    """Run the warm-up pass and `rounds` timed passes; returns `result` with the timings.

    result["search"] holds: "warmup" (ms per query of the first pass), "timed" (ms of the
    complete timed passes), "rounds" (how many), "stopped" (a sentence when the budget cut
    the run short) and "top" (the first pass's first MISS_DEPTH hits, for relevance).
    """
    state = {"warmup": [], "timed": [], "rounds": 0, "stopped": None, "top": []}
    result["search"] = state
    started = last_write = time.monotonic()
    for round_number in range(rounds + 1):
        current: list[float] = []
        for query in queries:
            if time.monotonic() - started > budget:
                state["stopped"] = (
                    f"the {budget:.0f} s budget ran out in pass {round_number + 1} of "
                    f"{rounds + 1}, after {len(current)} of {len(queries)} queries"
                )
                break
            begin = time.perf_counter()
            hits = search(query["q"])
            current.append((time.perf_counter() - begin) * 1000)
            if round_number == 0:
                state["warmup"] = current
                state["top"].append(hits[:MISS_DEPTH])
            if time.monotonic() - last_write > WRITE_EVERY:
                result["peak_memory_mb"] = peak_memory_mb()
                write_json(out, result)
                last_write = time.monotonic()
        if state["stopped"]:
            break
        if round_number:
            state["timed"].extend(current)
            state["rounds"] = round_number
    result["peak_memory_mb"] = peak_memory_mb()
    write_json(out, result)
    return result


def search_figures(state: dict, query_count: int) -> tuple[dict | None, str | None]:
    """p50/p95/max from the complete timed passes, else from the warm-up pass (said so)."""
    if state["timed"]:
        return summary(state["timed"]), state["stopped"]
    if state["warmup"]:
        done = len(state["warmup"])
        note = f"figures from the warm-up pass alone ({done} of {query_count} queries)"
        return summary(state["warmup"]), "; ".join(filter(None, [note, state["stopped"]]))
    return None, state["stopped"] or "no search finished"
