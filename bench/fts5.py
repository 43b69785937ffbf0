"""The reference search: SQLite FTS5 over the same published entries and the same queries.

As issue 15 specifies it: one FTS5 table with the question, the symptoms, the category's name
and the answer as plain text (porter tokenizer over unicode61); a query that is the OR of the
distinct tokens of the input, at most 24 of them; ranked by bm25 with our search's field
weights (kb.search.query.FIELD_BOOSTS: question 3, symptoms 2.5, category 1.2, answer 1).
No synonyms, corrections, phrases or snippets: a plain, well-known engine to hold ours against.

Measured warm in a process of its own, like ours (bench/our_search.py):

    KB_DATA_DIR=… python -m bench.fts5 --queries queries.json --out fts5.json
"""

import argparse
import functools
import html
import json
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from bench.measure import Hits, hit_at_1, misses, peak_memory_mb, time_rounds, write_json

COLUMNS = ("question", "symptoms", "category", "answer")
MAX_TOKENS = 24
TOKEN = re.compile(r"[^\W_]+")  # what unicode61 keeps as a token: letters and digits
Row = tuple[str, str, str, str, str]  # slug, then COLUMNS


def field_weights() -> tuple[float, ...]:
    """Our search's weights, in the table's column order (imported: they stay the same)."""
    from kb.search.query import FIELD_BOOSTS

    return tuple(FIELD_BOOSTS[column] for column in COLUMNS)


def fts5_query(text: str) -> str | None:
    """The OR of the input's distinct tokens, at most 24; None when it has none.

    Each token is quoted, so NOT, AND, NEAR, `*`, `^` and column names in a paste are words.
    """
    tokens = list(dict.fromkeys(TOKEN.findall(text.lower())))[:MAX_TOKENS]
    return " OR ".join(f'"{token}"' for token in tokens) or None


def rows_from_database() -> Iterator[Row]:
    """The published entries as the search index sees them.

    The answer's text comes from the stored HTML with the tags removed: the same words as the
    index's Markdown-to-text (the heading links add only "#", which no tokenizer keeps),
    without rendering every answer again.
    """
    import nh3

    from kb.content.models import Entry

    entries = Entry.objects.published().select_related("category")
    for entry in entries.iterator(chunk_size=1000):
        answer = html.unescape(nh3.clean(entry.answer_html, tags=set()))
        symptoms = "\n".join(entry.symptom_list)
        yield entry.slug, entry.question, symptoms, entry.category.name, answer


def build(path: Path, rows: Iterable[Row]) -> sqlite3.Connection:
    """A new FTS5 database at `path` holding `rows`, merged into one segment as after a bulk
    build."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    connection.execute(
        f"CREATE VIRTUAL TABLE faq USING fts5({', '.join(COLUMNS)}, slug UNINDEXED, "
        "tokenize = 'porter unicode61')"
    )
    with connection:
        connection.executemany(
            "INSERT INTO faq (slug, question, symptoms, category, answer) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        connection.execute("INSERT INTO faq (faq) VALUES ('optimize')")
    return connection


@functools.cache
def _select() -> str:
    weights = ", ".join(str(weight) for weight in field_weights())
    return f"SELECT slug, question FROM faq WHERE faq MATCH ? ORDER BY bm25(faq, {weights}) LIMIT ?"


def search(connection: sqlite3.Connection, text: str, limit: int = 10) -> Hits:
    match = fts5_query(text)
    if match is None:
        return []
    return connection.execute(_select(), (match, limit)).fetchall()


def main() -> None:
    from bench.django_env import setup_django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=Path, required=True, help="the query set, as JSON")
    parser.add_argument("--out", type=Path, required=True, help="where the figures go")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=300, help="seconds for the searches")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    queries = json.loads(args.queries.read_text())
    path = Path(settings.DATA_DIR) / "bench-fts5.sqlite3"
    started = time.perf_counter()
    build(path, rows_from_database()).close()
    result = {"build_s": time.perf_counter() - started, "index_bytes": path.stat().st_size}
    write_json(args.out, result)
    connection = sqlite3.connect(path)  # a fresh connection: warmed by the first pass only
    time_rounds(
        lambda q: search(connection, q), queries, args.rounds, args.budget, args.out, result
    )
    result["hit_at_1"] = hit_at_1(queries, result["search"]["top"])
    result["misses"] = misses(queries, result["search"]["top"])
    result["peak_memory_mb"] = peak_memory_mb()
    write_json(args.out, result)


if __name__ == "__main__":
    main()
