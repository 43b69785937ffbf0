"""The benchmark's instruments (`make bench`): the synthetic corpus, the FTS5 reference, the
query set and the table, at a tiny size so they cannot rot. No timings are asserted here:
speed goals live in the benchmark itself."""

import json
import re
import sqlite3
from collections import Counter
from html.parser import HTMLParser

import pytest
import yaml
from django.conf import settings

from bench import fts5, report
from bench.corpus import (
    CATEGORY_WEIGHTS,
    MAX_WORDS,
    MIN_WORDS,
    generate,
    is_synthetic,
    load_corpus,
    word_count,
)
from bench.measure import hit_at_1, misses, percentile, time_rounds
from bench.queries import FALLBACK_QUERIES, query_set
from kb import search
from kb.models import Entry
from tests.conftest import SYNTHETIC_FAQ_SIZE


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = Counter()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1


def _tags(html: str) -> Counter:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


# ---------------------------------------------------------------------------------------
# The corpus


def test_it_generates_the_same_corpus_for_a_seed_and_another_for_another_seed():
    first = list(generate(30, seed=1))
    assert first == list(generate(30, seed=1))
    assert first != list(generate(30, seed=2))
    # Entry i depends on the seed and i only: a bigger corpus starts with the smaller one.
    assert list(generate(60, seed=1))[:30] == first


def test_it_writes_answers_of_150_to_400_words_and_3_to_6_symptoms():
    entries = list(generate(300))
    assert all(MIN_WORDS <= word_count(entry.answer) <= MAX_WORDS for entry in entries)
    assert {len(entry.symptoms) for entry in entries} == {3, 4, 5, 6}
    assert len({entry.slug for entry in entries}) == len(entries)
    assert all(is_synthetic(entry.slug) for entry in entries)
    assert all(len(entry.question) <= 300 and entry.question.endswith("?") for entry in entries)


def test_it_spreads_the_entries_over_every_category_of_the_faq():
    categories = yaml.safe_load((settings.CONTENT_DIR / "categories.yaml").read_text())
    assert set(CATEGORY_WEIGHTS) == {category["slug"] for category in categories}
    counts = Counter(entry.category for entry in generate(1000))
    assert set(counts) == set(CATEGORY_WEIGHTS)
    assert max(counts.values()) < 1000 / 4  # no category swallows the corpus


def test_it_writes_markdown_with_lists_code_blocks_and_links():
    answers = [entry.answer for entry in generate(200)]
    assert all(re.search(r"^(- |1\. )", answer, re.MULTILINE) for answer in answers)
    assert sum("```" in answer for answer in answers) > 100
    assert all(re.search(r"\[[^\]]+\]\((https?|mailto):", answer) for answer in answers)


def test_it_tops_the_database_up_keeping_the_real_entries(faq):
    real = {entry.slug: entry.answer for entry in Entry.objects.all()}
    revisions = Entry.history.count()

    added = load_corpus(SYNTHETIC_FAQ_SIZE)

    assert added == SYNTHETIC_FAQ_SIZE - len(real)
    assert Entry.objects.published().count() == SYNTHETIC_FAQ_SIZE
    assert {e.slug: e.answer for e in Entry.objects.filter(slug__in=real)} == real
    synthetic = Entry.objects.exclude(slug__in=real)
    assert all(is_synthetic(entry.slug) for entry in synthetic)
    tags = _tags(synthetic.first().answer_html)
    assert tags["p"] >= 1
    assert tags["ul"] + tags["ol"] == 1
    assert Entry.history.count() == revisions  # no history rows for generated entries
    assert load_corpus(SYNTHETIC_FAQ_SIZE) == 0  # already that size


def test_it_leaves_the_index_to_a_rebuild_that_then_finds_the_synthetic_entries(synthetic_faq):
    entry = Entry.objects.filter(slug__regex=r"-s\d+$").order_by("pk").first()
    search.rebuild()
    hits = search.search(entry.question).hits
    assert hits[0].slug == entry.slug


# ---------------------------------------------------------------------------------------
# The FTS5 reference


def test_it_builds_the_fts5_reference_from_the_published_entries(synthetic_faq, tmp_path):
    Entry.objects.filter(slug="what-is-json").update(status=Entry.Status.DRAFT)
    connection = fts5.build(tmp_path / "fts5.sqlite3", fts5.rows_from_database())

    (rows,) = connection.execute("SELECT count(*) FROM faq").fetchone()
    assert rows == SYNTHETIC_FAQ_SIZE - 1
    found = [slug for slug, _ in fts5.search(connection, "JavaScript Object Notation", 50)]
    assert "what-is-json" not in found  # a draft
    top = fts5.search(connection, "429 Too Many Requests")
    assert top[0] == ("rate-limit-429", Entry.objects.get(slug="rate-limit-429").question)


def test_it_queries_fts5_with_the_or_of_at_most_24_distinct_tokens(synthetic_faq, tmp_path):
    assert fts5.fts5_query("Rate limit, RATE limit exceeded") == '"rate" OR "limit" OR "exceeded"'
    assert fts5.fts5_query("invalid_grant") == '"invalid" OR "grant"'
    assert fts5.fts5_query("*** --- ***") is None
    paste = " ".join(f"word{n}" for n in range(100))
    assert fts5.fts5_query(paste).count(" OR ") == fts5.MAX_TOKENS - 1
    connection = fts5.build(tmp_path / "fts5.sqlite3", fts5.rows_from_database())
    # Query syntax in a paste is just words.
    for text in ['NOT "429" AND (question: * ^', "NEAR(a b) OR", '"', ""]:
        assert isinstance(fts5.search(connection, text), list)


def test_it_weights_the_fts5_fields_as_our_search_does(tmp_path):
    # FTS5 weighs each column's term frequency before BM25's saturation: one word in a field
    # worth 3 beats the same word once in a field worth 1.
    rows = [
        ("in-answer", "Other", "", "General", "zebra words here"),
        ("in-question", "Why zebra?", "", "General", "other words here"),
        ("in-category", "Other", "", "Zebra", "other words here"),
        ("in-symptoms", "Other", "zebra", "General", "other words here"),
    ] + [(f"filler-{n}", "Other", "", "General", "other words here") for n in range(20)]
    connection = fts5.build(tmp_path / "weights.sqlite3", rows)
    # Question 3, symptoms 2.5, category 1.2, answer 1 (kb.search.query.FIELD_BOOSTS).
    assert [slug for slug, _ in fts5.search(connection, "zebra")] == [
        "in-question",
        "in-symptoms",
        "in-category",
        "in-answer",
    ]


# ---------------------------------------------------------------------------------------
# The queries, the timing rounds and the table


def test_it_times_the_dev_queries_and_twenty_pastes_of_5_and_20_kb(tmp_path):
    dev = tmp_path / "dev_queries.json"
    dev.write_text(json.dumps({"queries": [{"q": f"q{n}", "expect": ["x"]} for n in range(46)]}))

    queries, note = query_set(dev)

    assert note is None
    assert len(queries) == 66
    sizes = Counter(query["kind"] for query in queries)
    assert sizes == {"dev": 46, "paste 5 KB": 10, "paste 20 KB": 10}
    for query in queries:
        if query["kind"] == "paste 5 KB":
            assert 4_500 <= len(query["q"]) <= 5_000
        if query["kind"] == "paste 20 KB":
            assert 19_000 <= len(query["q"]) <= 20_000
    assert query_set(dev) == (queries, None)


def test_it_says_so_and_times_kept_queries_when_the_dev_queries_are_missing(tmp_path):
    queries, note = query_set(tmp_path / "missing.json")
    assert "could not be read" in note
    assert "hit@1" in note
    assert len(queries) == 66
    assert sum(query["kind"] == "kept" for query in queries) == len(FALLBACK_QUERIES)


def test_it_counts_a_dev_query_as_hit_only_when_a_real_entry_comes_first():
    queries = [{"q": "rate limit", "expect": ["429 status code"]}, {"q": "paste", "expect": []}]
    real = [("rate-limit-429", "I am receiving a 429 status code error")]
    synthetic = [("why-429-status-code-s12", "Why a 429 status code on RFIs?")]
    assert hit_at_1(queries, [real, []]) == 1.0
    assert hit_at_1(queries, [synthetic, []]) == 0.0
    assert hit_at_1(queries, [real]) is None  # the pass did not finish


def test_it_stops_starting_queries_when_the_budget_is_spent(tmp_path):
    queries = [{"q": "a", "expect": []}, {"q": "b", "expect": []}]
    out = tmp_path / "out.json"
    result = time_rounds(lambda q: [], queries, rounds=2, budget=-1, out=out, result={})
    assert result["search"]["warmup"] == []
    assert "budget ran out in pass 1" in result["search"]["stopped"]
    assert json.loads(out.read_text())["search"]["stopped"] == result["search"]["stopped"]
    result = time_rounds(lambda q: [], queries, rounds=2, budget=600, out=out, result={})
    assert len(result["search"]["timed"]) == 4
    assert result["search"]["rounds"] == 2


def test_it_takes_the_nearest_rank_percentile():
    samples = list(range(1, 101))
    assert percentile(samples, 0.5) == 50
    assert percentile(samples, 0.95) == 95
    assert percentile([7.0], 0.95) == 7.0


def _results(p95_ratio: float) -> dict:
    def size(entries, weight):
        results = {
            "entries": entries,
            "largest_category": {"name": "OAuth 2.0 Authentication", "entries": entries // 7},
            "ours": {"p50": 2.0, "p95": 10.0 * p95_ratio, "max": 40.0, "hit_at_1": 1.0},
            "fts5": {"p50": 1.0, "p95": 10.0, "max": 20.0, "hit_at_1": 0.9},
            "http": {
                "throughput": {
                    page: {"rps": rps, "errors": None}
                    for page, rps in {
                        "static": 1000.0,
                        "home": 600.0,
                        "entry": 700.0,
                        "category": 400.0,
                        "api_search": 300.0,
                    }.items()
                },  # fmt: skip
                "weight": {
                    "home": {"wire_bytes": weight, "html_bytes": 9000, "html_ms": 5.0},
                    "category": {"wire_bytes": weight, "html_bytes": 9000, "html_ms": 5.0},
                },
                "worker_memory_mb": 80.0,
            },
        }
        results["ours"]["peak_memory_mb"] = 120.0
        return results

    return {0: size(27, 25_000), 10_000: size(10_000, 26_000)}


def test_it_marks_each_goal_met_or_not_beside_the_figures():
    table = report.table(_results(p95_ratio=4.0))
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines()}
    assert table.splitlines()[0].startswith("| figure | reference | 27 entries | 10,000 entries")
    assert "40.0 / 10.0 (4.00x)" in rows["search p95, ms"]
    assert "**not met** at 10,000; not measured at 50,000" in rows["search p95, ms"]
    assert "≥ 0.5x the static file: **not met** at 27, 10,000" in rows["`/`, req/s"]
    assert "with the FAQ as it is: **met**" in rows["`/api/search?q=rate limit exceeded`, req/s"]
    assert "at 10,000: **met**" in rows["home page: first visit (HTML, time)"]
    assert "< 150 MB at 50,000: not measured at 50,000" in rows["searching process peak memory, MB"]
    assert "≥ 0.05 at every size: **met**" in rows["hit@1 above FTS5's"]
    assert "≥ 0.10x the static file at 10,000: **met**" in rows["`/api/search` at size, req/s"]
    assert "1.00 / 0.90" in rows["hit@1 on the dev queries"]


def test_it_marks_a_goal_met_only_where_it_was_measured():
    results = _results(p95_ratio=2.0)
    del results[10_000]["http"]
    table = report.table(results)
    assert "≤ 2x FTS5 at 10,000 and 50,000: not measured at 50,000" in table
    assert "within 10% of the FAQ as it is, at 10,000: not measured at 10,000" in table
    assert "≥ 0.10x the static file at 10,000: not measured at 10,000" in table


def test_it_marks_a_goal_not_met_when_one_measured_page_fails_it_and_another_is_missing():
    results = _results(p95_ratio=2.0)
    results[10_000]["http"]["weight"]["home"]["wire_bytes"] = 250_000
    results[10_000]["http"]["weight"]["category"] = None  # slower than gunicorn's timeout
    assert "within 10% of the FAQ as it is, at 10,000: **not met** at 10,000" in report.table(
        results
    )


def test_it_marks_an_edit_slower_than_a_second_to_reach_another_node_as_not_met():
    results = _results(p95_ratio=2.0)
    for corpus_size, reach_max in ((0, 0.4), (10_000, 1.3)):
        results[corpus_size]["nodes"] = {
            "save_s": {"p50": 0.05, "max": 0.2},
            "reach_s": {"p50": 0.2, "max": reach_max},
            "freshness": {"follow_ms": 1.0},
            "lost": 0,
        }
    rows = {line.split(" | ")[0].strip("| "): line for line in report.table(results).splitlines()}
    reach = rows["that edit found by search on another node: p50 (max), ms"]
    assert "200 (max 1,300) / 1,000 (1.30x)" in reach
    assert "none lost: **not met** at 10,000" in reach
    assert (
        "< 1 s at every size: **met**"
        in rows["a save, its own node's index included: p50 (max), ms"]
    )
    assert "1.00 / 2.00 (0.50x)" in rows["freshness check before a search (one query), ms"]


DOCUMENT = """# The benchmark

How to run it.

<!-- make bench: 1,000 entries -->
### 1,000 entries

the old table at 1,000
<!-- end of make bench: 1,000 entries -->

<!-- make bench: 10,000 entries, --no-nodes -->
### 10,000 entries, --no-nodes

the table at 10,000
<!-- end of make bench: 10,000 entries, --no-nodes -->

What the figures mean.
"""


def test_it_replaces_only_the_last_run_of_the_same_kind_in_the_document():
    written = report.with_section(DOCUMENT, "1,000 entries", "### 1,000 entries\n\nthe new table")
    assert "the new table" in written
    assert "the old table" not in written
    assert "the table at 10,000" in written
    assert written.startswith("# The benchmark\n\nHow to run it.\n\n<!-- make bench: 1,000")
    assert written.endswith("What the figures mean.\n")
    assert written.count("<!-- end of make bench: 1,000 entries -->") == 1


def test_it_adds_a_run_of_a_new_kind_at_the_end_without_touching_the_others():
    written = report.with_section(DOCUMENT, "50,000 entries", "the table at 50,000")
    assert written.startswith(DOCUMENT)
    assert written.endswith(
        "<!-- make bench: 50,000 entries -->\nthe table at 50,000\n"
        "<!-- end of make bench: 50,000 entries -->\n"
    )


def test_it_refuses_a_section_that_lost_its_end_rather_than_swallow_the_rest():
    broken = DOCUMENT.replace("<!-- end of make bench: 1,000 entries -->", "")
    with pytest.raises(ValueError, match="has no <!-- end of make bench: 1,000 entries -->"):
        report.with_section(broken, "1,000 entries", "the new table")


def test_it_names_a_kind_of_run_by_its_sizes_and_the_parts_it_skipped():
    assert report.run_key([0, 1000, 10_000], []) == "1,000, 10,000 entries"
    assert report.run_key([10_000], ["--no-nodes"]) == "10,000 entries, --no-nodes"
    assert (
        report.run_key([0], ["--no-http", "--no-nodes"])
        == "the FAQ as it is, --no-http, --no-nodes"
    )


def test_it_stamps_the_report_with_the_command_that_reproduces_it(monkeypatch):
    from bench.run import provenance

    monkeypatch.setattr(
        "sys.argv", ["run.py", "--sizes", "10000", "--doc", "docs/b.md", "--json=out.json"]
    )
    stamp = provenance()
    assert stamp.startswith("`python -m bench.run --sizes 10000`, commit `")
    assert re.search(r", \d{2} \w+ \d{4}, \d{2}:\d{2} UTC, on \d+ cores\.$", stamp)


@pytest.mark.parametrize("text", ["1000,10000", "10_000, 1000", "1000,1000,10000"])
def test_it_reads_the_sizes_as_a_sorted_list(text):
    from bench.run import parse_sizes

    assert parse_sizes(text) == [1000, 10000]


def test_it_refuses_sizes_that_are_not_numbers():
    import argparse

    from bench.run import parse_sizes

    with pytest.raises(argparse.ArgumentTypeError, match="whole numbers"):
        parse_sizes("ten thousand")


def test_it_finds_fts5_with_the_porter_tokenizer_in_this_python():
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'porter unicode61')")


def test_it_lists_each_miss_with_the_rank_of_the_expected_real_entry():
    queries = [
        {"q": "rate limit", "expect": ["429 status code"]},
        {"q": "cors", "expect": ["Cross-Origin"]},
        {"q": "token", "expect": ["refresh token"]},
        {"q": "a paste", "expect": []},
    ]
    real = ("rate-limit-429", "I am receiving a 429 status code error")
    synthetic = ("why-429-status-code-s12", "Why a 429 status code on RFIs?")
    top = [[real], [synthetic, ("cors", "Does the API support Cross-Origin requests?")], [], []]
    assert misses(queries, top) == [
        {"q": "cors", "rank": 2, "first": "why-429-status-code-s12"},
        {"q": "token", "rank": None, "first": None},
    ]
    lines = report.misses({10_000: {"entries": 10_000, "ours": {"misses": misses(queries, top)}}})
    assert lines[0] == "10,000 entries, ours, 2 misses:"
    assert "rank 2: 'cors' (first: why-429-status-code-s12)" in lines[1]
    assert "rank –: 'token'" in lines[2]
