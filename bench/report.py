"""The benchmark's one table: each figure beside its reference and the ratio, per corpus size,
and issue 15's goals marked met or not met.

`table(results)` takes what bench/run.py gathered, keyed by corpus size (0: the FAQ as it is,
27 entries today):

    {size: {"entries", "largest_category", "rebuild", "ours", "fts5", "http"}}

and returns Markdown, so docs/benchmark.md shows the table as printed. A figure that was not
measured (a part skipped or cut short) shows as "–"; the notes say why.

`with_section(document, key, body)` puts a run's report into docs/benchmark.md (`make bench`
does): each kind of run (its sizes and the parts it skipped) has one section there, which the
next run of that kind replaces, so the figures in the document are a run's output, never edited
by hand.
"""

from collections.abc import Callable
from dataclasses import dataclass

REAL = 0  # the corpus size that means "the FAQ as it is"
MEMORY_LIMIT_MB = 150


def get(data: dict, path: str):
    """data["a"]["b"]… for "a.b…", or None when any step is missing."""
    for key in path.split("."):
        if not isinstance(data, dict) or data.get(key) is None:
            return None
        data = data[key]
    return data


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if value >= 100:
        text = f"{value:,.0f}"
    elif value >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def size(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f} MB"
    return f"{value / 1000:.1f} kB"


def ratio(ours: float | None, reference: float | None) -> float | None:
    if ours is None or not reference:
        return None
    return ours / reference


def versus(ours: str, reference: str, times: float | None) -> str:
    """The cell: our figure, the reference, and how many times the reference ours is."""
    share = "" if times is None else f" ({times:.2f}x)" if times < 10 else f" ({times:,.0f}x)"
    return f"{ours} / {reference}{share}"


def every(values: list[float | None], holds: Callable[[float], bool]) -> bool | None:
    """False as soon as one measured value fails; None while some are missing; else True."""
    measured = [value for value in values if value is not None]
    if not all(holds(value) for value in measured):
        return False
    return None if len(measured) < len(values) else True


@dataclass
class Goal:
    text: str
    check: Callable[[dict], bool | None]  # None: not measured at that size
    sizes: tuple[int, ...] | None = None  # None: every size of the run


@dataclass
class Row:
    label: str
    reference: str
    cell: Callable[[dict], str]
    goal: Goal | None = None


def _pair(ours_path: str, reference_path: str, show=number) -> Callable[[dict], str]:
    """A cell holding two figures of the results, ours and its reference."""

    def cell(r: dict) -> str:
        ours, reference = get(r, ours_path), get(r, reference_path)
        return versus(show(ours), show(reference), ratio(ours, reference))

    return cell


def _against_limit(path: str) -> Callable[[dict], str]:
    def cell(r: dict) -> str:
        value = get(r, path)
        return versus(number(value), str(MEMORY_LIMIT_MB), ratio(value, MEMORY_LIMIT_MB))

    return cell


def _rps(page: str) -> str:
    return f"http.throughput.{page}.rps"


def _share_of_static(r: dict, page: str) -> float | None:
    return ratio(get(r, _rps(page)), get(r, _rps("static")))


def worker_memory(r: dict) -> float | None:
    """What a worker needs: the larger of the searching process and the gunicorn workers
    (None unless both were measured: either may be the larger)."""
    found = [get(r, "ours.peak_memory_mb"), get(r, "http.worker_memory_mb")]
    return None if None in found else max(found)


def _weight(page: str, real: dict) -> Callable[[dict], str]:
    def cell(r: dict) -> str:
        weight = get(r, f"http.weight.{page}")
        if weight is None:
            return "–"
        wire, base = weight["wire_bytes"], get(real, f"http.weight.{page}.wire_bytes")
        ours = f"{size(wire)} ({size(weight['html_bytes'])} HTML, {number(weight['html_ms'])} ms)"
        return versus(ours, size(base), ratio(wire, base))

    return cell


def _seconds(path: str) -> Callable[[dict], str]:
    """p50 / max of a series in seconds, shown in ms beside the one-second limit."""

    def cell(r: dict) -> str:
        p50, largest = get(r, f"{path}.p50"), get(r, f"{path}.max")
        if p50 is None:
            return "–"
        shown = f"{number(p50 * 1000)} (max {number(largest * 1000)})"
        return versus(shown, "1,000", ratio(largest, 1.0))

    return cell


def hit_at_1_margin(r: dict) -> float | None:
    ours, fts5 = get(r, "ours.hit_at_1"), get(r, "fts5.hit_at_1")
    return None if ours is None or fts5 is None else ours - fts5


def misses(results: dict) -> list[str]:
    """Each engine's misses on the dev queries at each size, with the rank of the expected
    entry (– when not in the first ten) and what came first instead."""
    lines = []
    for corpus_size, result in results.items():
        for engine, key in (("ours", "ours"), ("FTS5", "fts5")):
            found = get(result, f"{key}.misses")
            if not found:
                continue
            lines.append(f"{label(corpus_size, results)} entries, {engine}, {len(found)} misses:")
            for miss in found:
                rank = miss["rank"] or "–"
                lines.append(f"  rank {rank}: {miss['q']!r} (first: {miss['first']})")
    return lines


def _hit_at_1(r: dict) -> str:
    ours, fts5 = get(r, "ours.hit_at_1"), get(r, "fts5.hit_at_1")
    return f"{number(ours)} / {number(fts5)}"


def rows(results: dict) -> list[Row]:
    real = results.get(REAL, {})

    def p95_within_2x(r):
        times = ratio(get(r, "ours.p95"), get(r, "fts5.p95"))
        return None if times is None else times <= 2

    def rebuild_within_30x(r):
        times = ratio(get(r, "rebuild.rebuild_s"), get(r, "fts5.build_s"))
        return None if times is None else times <= 30

    def hit_at_1_above_fts5(r):
        margin = hit_at_1_margin(r)
        return None if margin is None else margin >= 0.05 - 1e-9

    def pages_half_of_static(r):
        shares = [_share_of_static(r, page) for page in ("home", "entry", "category")]
        return every(shares, lambda share: share >= 0.5)

    def weight_within_10_percent(r):
        times = [
            ratio(get(r, f"http.weight.{p}.wire_bytes"), get(real, f"http.weight.{p}.wire_bytes"))
            for p in ("home", "category")
        ]
        return every(times, lambda times: times <= 1.10)

    def hit_at_1_unchanged(r):
        value = get(r, "ours.hit_at_1")
        return None if value is None else value == 1.0

    def memory_under_limit(r):
        value = worker_memory(r)
        return None if value is None else value < MEMORY_LIMIT_MB

    def api_quarter_of_static(r):
        share = _share_of_static(r, "api_search")
        return None if share is None else share >= 0.25

    def api_tenth_of_static(r):
        share = _share_of_static(r, "api_search")
        return None if share is None else share >= 0.10

    def under_a_second(path: str):
        def check(r):
            value = get(r, path)
            if value is None:
                return None
            return value < 1.0 and not get(r, "nodes.lost")

        return check

    pages_goal = Goal("≥ 0.5x the static file", pages_half_of_static)
    static = _rps("static")
    return [
        Row("full rebuild, s", "FTS5: read and build", _pair("rebuild.rebuild_s", "fts5.build_s"),
            Goal("≤ 30x FTS5 at 10,000 and 50,000", rebuild_within_30x, (10_000, 50_000))),
        Row("index on disk", "FTS5 database",
            _pair("rebuild.index_bytes", "fts5.index_bytes", show=size)),
        Row("search p50, ms", "FTS5 p50", _pair("ours.p50", "fts5.p50")),
        Row("search p95, ms", "FTS5 p95", _pair("ours.p95", "fts5.p95"),
            Goal("≤ 2x FTS5 at 10,000 and 50,000", p95_within_2x, (10_000, 50_000))),
        Row("search max, ms", "FTS5 max", _pair("ours.max", "fts5.max")),
        Row("hit@1 on the dev queries", "FTS5", _hit_at_1,
            Goal("1.00 on the FAQ as it is", hit_at_1_unchanged, (REAL,))),
        Row("hit@1 above FTS5's", "–", lambda r: number(hit_at_1_margin(r)),
            Goal("≥ 0.05 at every size", hit_at_1_above_fts5)),
        Row("searching process peak memory, MB", "limit, MB",
            _against_limit("ours.peak_memory_mb"),
            Goal("the larger of these two < 150 MB at 50,000", memory_under_limit, (50_000,))),
        Row("gunicorn worker peak memory, MB", "limit, MB",
            _against_limit("http.worker_memory_mb")),
        Row("rebuild process peak memory, MB", "–",
            lambda r: number(get(r, "rebuild.peak_memory_mb"))),
        Row("static file, req/s", "itself", _pair(static, static)),
        Row("`/`, req/s", "static file", _pair(_rps("home"), static), pages_goal),
        Row("entry page, req/s", "static file", _pair(_rps("entry"), static), pages_goal),
        Row("largest category page, req/s", "static file", _pair(_rps("category"), static),
            pages_goal),
        Row("`/api/search?q=rate limit exceeded`, req/s", "static file",
            _pair(_rps("api_search"), static),
            Goal("≥ 0.25x the static file with the FAQ as it is", api_quarter_of_static, (REAL,))),
        Row("`/api/search` at size, req/s", "static file", _pair(_rps("api_search"), static),
            Goal("≥ 0.10x the static file at 10,000", api_tenth_of_static, (10_000,))),
        Row("search over HTTP p50, ms", "`/healthz` p50",
            _pair("http.search_ms.p50", "http.healthz_ms.p50")),
        Row("search over HTTP p95, ms", "`/healthz` p95",
            _pair("http.search_ms.p95", "http.healthz_ms.p95")),
        Row("home page: first visit (HTML, time)", "the FAQ as it is", _weight("home", real),
            Goal("within 10% of the FAQ as it is, at 10,000", weight_within_10_percent,
                 (10_000,))),
        Row("largest category page: first visit", "the FAQ as it is", _weight("category", real)),
        Row("a save, its own node's index included: p50 (max), ms", "1 s",
            _seconds("nodes.save_s"),
            Goal("< 1 s at every size", under_a_second("nodes.save_s.max"))),
        Row("that edit found by search on another node: p50 (max), ms", "1 s",
            _seconds("nodes.reach_s"),
            Goal("< 1 s at every size, none lost", under_a_second("nodes.reach_s.max"))),
        Row("freshness check before a search (one query), ms", "search p50",
            _pair("nodes.freshness.follow_ms", "ours.p50")),
    ]  # fmt: skip


def verdict(goal: Goal, results: dict) -> str:
    sizes = goal.sizes or tuple(results)
    failed, missing = [], []
    for corpus_size in sizes:
        outcome = goal.check(results[corpus_size]) if corpus_size in results else None
        if outcome is None:
            missing.append(label(corpus_size, results))
        elif not outcome:
            failed.append(label(corpus_size, results))
    parts = []
    if failed:
        parts.append(f"**not met** at {', '.join(failed)}")
    if missing:
        parts.append(f"not measured at {', '.join(missing)}")
    return f"{goal.text}: " + ("; ".join(parts) if parts else "**met**")


def label(corpus_size: int, results: dict) -> str:
    entries = get(results.get(corpus_size, {}), "entries")
    return f"{entries or corpus_size:,}" if corpus_size or entries else "the FAQ"


def table(results: dict) -> str:
    sizes = list(results)
    header = ["figure", "reference", *(f"{label(s, results)} entries" for s in sizes), "goal"]
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    largest = [get(results[s], "largest_category") for s in sizes]
    largest = [f"{c['name']}: {c['entries']:,}" if c else "–" for c in largest]
    lines.append("| largest category | | " + " | ".join(largest) + " | |")
    shown_goals = []
    for row in rows(results):
        goal = ""
        if row.goal and row.goal not in shown_goals:  # a goal shared by rows: on the first
            goal = verdict(row.goal, results)
            shown_goals.append(row.goal)
        cells = [row.cell(results[s]) for s in sizes]
        lines.append(f"| {row.label} | {row.reference} | " + " | ".join(cells) + f" | {goal} |")
    return "\n".join(lines)


def run_key(sizes: list[int], skipped: list[str]) -> str:
    """What makes two runs' tables comparable: the sizes measured and the parts left out
    (a run with `--budget 60` replaces one with `--budget 300`: the notes say the budget)."""
    shown = ", ".join(f"{corpus_size:,}" for corpus_size in sizes if corpus_size != REAL)
    return (f"{shown} entries" if shown else "the FAQ as it is") + "".join(
        f", {part}" for part in skipped
    )


def with_section(document: str, key: str, body: str) -> str:
    """The document with the section of this kind of run replaced by body, or body appended
    at the end when no run of the kind is there yet."""
    start, end = f"<!-- make bench: {key} -->", f"<!-- end of make bench: {key} -->"
    section = f"{start}\n{body.strip()}\n{end}"
    before, found, rest = document.partition(start)
    if not found:
        return document.rstrip("\n") + "\n\n" + section + "\n"
    _, closed, after = rest.partition(end)
    if not closed:
        # Writing past a lost end marker would swallow the rest of the document.
        raise ValueError(f"{start} has no {end} after it; mend the document by hand")
    return before + section + after
