"""Symptom search: the one module that knows about Whoosh.

The rest of the project uses this small interface, so another engine could stand behind it:

    search(text, limit)       ranked published entries, with snippets and a did-you-mean
    schedule_update(entry_pk) re-index an entry once the current transaction commits
    update_entries(pks)       re-index (or drop) entries from the database now
    rebuild()                 build a fresh index from the database and swap it in atomically

Developers paste error messages, JSON bodies and raw HTTP responses, so user input is never
handed to a query parser: it is analyzed like the documents, reduced to its most useful terms
and turned into a query of plain term lookups.

On disk, `KB_INDEX_DIR/current` is a symlink to a generation folder. A rebuild writes a new
generation and swaps the link, so searches keep answering from the old one meanwhile. Every
write (an entry update or a rebuild) holds one file lock for the whole index, re-reads the
database inside it, and so never loses an update. Each process keeps a searcher and reopens it
when the link or the index has changed, so every gunicorn worker sees a save at once.
"""

import fcntl
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from whoosh import highlight, index, scoring
from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.query import DisjunctionMax, Or, Phrase, Term
from whoosh.support.levenshtein import damerau_levenshtein

logger = logging.getLogger(__name__)

# How much a match in each field counts. Symptoms are what developers paste, so they weigh
# almost as much as the question itself.
FIELD_BOOSTS = {"question": 3.0, "symptoms": 2.5, "category": 1.2, "answer": 1.0}
MAX_INPUT_CHARS = 4000  # a pasted response is cut here before analysis
MAX_QUERY_TERMS = 24  # and reduced to this many of its most useful terms
MAX_CORRECTED_WORDS = 8  # only short queries get typo corrections
MAX_BIGRAMS = 12
MAX_CANDIDATES = 200  # hits scored per search, before the relevance cut
RELATIVE_CUTOFF = 0.12  # hits scoring under this share of the best one are not shown
PHRASE_FIELDS = ("question", "symptoms", "answer")
PROXIMITY_SLOP = 2  # "token ... working" still counts as together
BIGRAM_BOOST = 0.5
SYNONYM_BOOST = 0.6
CONTEXT_BOOST = 0.4  # terms found only in the URLs of a paste
URL = re.compile(r"\bhttps?://\S+", re.IGNORECASE)
# Header lines of a pasted request or response that say nothing about what went wrong.
ROUTINE_HEADERS = (
    "accept", "accept-encoding", "accept-language", "accept-ranges", "age", "cache-control",
    "cf-ray", "connection", "content-encoding", "content-length", "content-type", "date", "etag",
    "expires", "host", "keep-alive", "last-modified", "pragma", "referrer-policy", "server",
    "set-cookie", "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via",
    "x-content-type-options", "x-frame-options", "x-request-id", "x-runtime", "x-xss-protection",
)  # fmt: skip
ROUTINE_HEADER_LINE = re.compile(
    rf"^[ \t]*(?:{'|'.join(map(re.escape, ROUTINE_HEADERS))})[ \t]*:.*$",
    re.IGNORECASE | re.MULTILINE,
)
LOCK_TIMEOUT = 30.0  # seconds a writer waits for the index lock
KEEP_GENERATIONS = 2

# A token is a run of letters and digits, joined by - _ . @ / ' when they sit between two
# such runs: X-Rate-Limit-Reset, invalid_grant, app.procore.com, HTTP/1.1 stay whole.
TOKEN_PATTERN = r"[^\W_]+(?:[-_.@/'’][^\W_]+)*"
SPLIT_PATTERN = re.compile(r"[-_.@/'’]")


class CompoundFilter(Filter):
    """Emit `x-rate-limit-reset` whole, then each of its parts, at consecutive positions.

    So `X-Rate-Limit-Reset` matches a search for the whole header and one for "rate limit",
    and `invalid_grant` matches both `invalid_grant` and "invalid grant".
    """

    def __call__(self, tokens: Iterator) -> Iterator:
        shift = 0
        for token in tokens:
            parts = [p for p in SPLIT_PATTERN.split(token.text) if p]
            if hasattr(token, "pos"):
                token.pos += shift
            if len(parts) < 2:
                yield token
                continue
            whole, start = token.text, getattr(token, "startchar", None)
            base_pos = getattr(token, "pos", None)
            yield token
            offset = 0
            for number, part in enumerate(parts):
                offset = whole.index(part, offset)
                token.text = part
                if base_pos is not None:
                    token.pos = base_pos + number
                if start is not None:
                    token.startchar = start + offset
                    token.endchar = start + offset + len(part)
                offset += len(part)
                yield token
            shift += len(parts) - 1


def _analyzer(stem: bool = True):
    analyzer = (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CompoundFilter()
        | StopFilter(minsize=1, renumber=False)
    )
    return analyzer | StemFilter() if stem else analyzer


ANALYZER = _analyzer()
PLAIN_ANALYZER = _analyzer(stem=False)  # for spelling corrections: real words, not stems
SEARCH_FIELDS = tuple(FIELD_BOOSTS)


def _schema() -> Schema:
    return Schema(
        pk=ID(stored=True, unique=True),
        slug=STORED,
        question=TEXT(analyzer=ANALYZER, stored=True),
        symptoms=TEXT(analyzer=ANALYZER, stored=True),
        category=TEXT(analyzer=ANALYZER, stored=True),
        answer=TEXT(analyzer=ANALYZER, stored=True),
        spelling=TEXT(analyzer=PLAIN_ANALYZER, phrase=False),
    )


WEIGHTING = scoring.BM25F(B=0.75, K1=1.2, question_B=0.3, category_B=0.0)


@dataclass
class Hit:
    slug: str
    question: str
    category: str
    category_slug: str
    url: str
    score: float
    snippet: SafeString

    @classmethod
    def for_entry(cls, entry, score: float, snippet: SafeString) -> "Hit":
        return cls(
            slug=entry.slug,
            question=entry.question,
            category=entry.category.name,
            category_slug=entry.category.slug,
            url=entry.get_absolute_url(),
            score=round(float(score), 3),
            snippet=snippet,
        )


@dataclass
class SearchResults:
    query: str
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    corrected: bool = False  # the hits are for the suggestion, not the words as typed


# ---------------------------------------------------------------------------------------
# Where the index lives, and the lock every writer holds


def _root() -> Path:
    return Path(settings.KB_INDEX_DIR)


def _current_link() -> Path:
    return _root() / "current"


@contextmanager
def _write_lock(timeout: float = LOCK_TIMEOUT):
    """One writer at a time across every process; waits instead of failing."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "write.lock", "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the search index stayed locked for {timeout}s") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _documents(entries: Iterable) -> Iterator[dict]:
    for entry in entries:
        text = " ".join(entry.answer_text.split())
        yield {
            "pk": str(entry.pk),
            "slug": entry.slug,
            "question": entry.question,
            "symptoms": "\n".join(entry.symptom_list),
            "category": entry.category.name,
            "answer": text,
            "spelling": " ".join([entry.question, entry.symptoms, entry.category.name, text]),
        }


def _published_entries():
    from kb.models import Entry

    return Entry.objects.published().select_related("category")


def rebuild() -> Path:
    """Build a new generation from the database and point `current` at it atomically."""
    root = _root()
    with _write_lock():
        generation = root / f"gen-{time.time_ns()}"
        generation.mkdir(parents=True)
        ix = index.create_in(str(generation), _schema())
        with ix.writer() as writer:
            for document in _documents(_published_entries()):
                writer.add_document(**document)
        temporary_link = root / f".current-{os.getpid()}-{threading.get_ident()}"
        temporary_link.unlink(missing_ok=True)
        temporary_link.symlink_to(generation.name)
        os.replace(temporary_link, _current_link())
        _remove_old_generations(root, keep=generation)
    logger.info("search index rebuilt in %s", generation)
    return generation


def _remove_old_generations(root: Path, keep: Path) -> None:
    generations = sorted(root.glob("gen-*"), key=lambda p: p.name, reverse=True)
    for old in generations[KEEP_GENERATIONS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def _open_current():
    path = os.path.realpath(_current_link())
    return path, index.open_dir(path)


def update_entries(pks: Iterable[int]) -> None:
    """Re-index these entries from the database: published ones are (re)written, others dropped.

    Reading the rows inside the lock means the last writer always writes the latest state.
    """
    pks = {str(pk) for pk in pks}
    if not pks:
        return
    if not _current_link().exists():
        rebuild()
        return
    with _write_lock():
        _, ix = _open_current()
        published = _published_entries().filter(pk__in=pks)
        with ix.writer() as writer:
            for pk in pks:
                writer.delete_by_term("pk", pk)
            for document in _documents(published):
                writer.add_document(**document)


_pending = threading.local()


def schedule_update(pk: int) -> None:
    """Re-index an entry once the transaction commits (at once outside a transaction).

    Saves in one transaction are gathered into one index write: the first callback to run
    takes every pending entry, the others find nothing left to do.
    """
    if not hasattr(_pending, "pks"):
        _pending.pks = set()
    _pending.pks.add(pk)
    transaction.on_commit(_flush_pending)


def _flush_pending() -> None:
    pks, _pending.pks = _pending.pks, set()
    if not pks:
        return
    try:
        update_entries(pks)
    except Exception:
        # The save itself succeeded; a failed index write must not turn it into an error
        # page, and the index must not stay behind the database: rebuild it.
        logger.exception("updating the search index failed; rebuilding it")
        rebuild()


# ---------------------------------------------------------------------------------------
# Reading: one searcher per process, refreshed when the index changes


class _SearcherCache:
    def __init__(self):
        self.lock = threading.Lock()
        self.path = None
        self.searcher = None

    @contextmanager
    def searcher_for_request(self):
        with self.lock:
            path = os.path.realpath(_current_link())
            if self.searcher is None or path != self.path or not self.searcher.up_to_date():
                # A fresh searcher, not Searcher.refresh(): refresh reuses the readers of
                # unchanged segments and misses deletions recorded in them since.
                self.close()
                ix = index.open_dir(path)
                self.path, self.searcher = path, ix.searcher(weighting=WEIGHTING)
            yield self.searcher

    def close(self):
        if self.searcher is not None:
            self.searcher.close()
        self.path = self.searcher = None


_cache = _SearcherCache()


def analyze(text: str, plain: bool = False) -> list[str]:
    analyzer = PLAIN_ANALYZER if plain else ANALYZER
    return [token.text for token in analyzer(text)]


def _synonym_groups(terms: list[str]) -> list[list[tuple[str, ...]]]:
    """The synonym groups (maintained by engineers) that the query touches, analyzed.

    Each group comes back as its phrases other than the ones the query already has.
    """
    from kb.models import Synonym

    found = []
    query = f" {' '.join(terms)} "
    for group in Synonym.objects.groups():
        analyzed = [tuple(analyze(phrase)) for phrase in group]
        if any(phrase and f" {' '.join(phrase)} " in query for phrase in analyzed):
            others = [p for p in analyzed if p and f" {' '.join(p)} " not in query]
            if others:
                found.append(list(dict.fromkeys(others)))
    return found


def _bigrams(terms: list[str], known: set[str]) -> list[tuple[str, str]]:
    """Neighbouring known terms of the query as typed: a document that has them together wins."""
    pairs = zip(terms, terms[1:], strict=False)
    return list(dict.fromkeys(p for p in pairs if p[0] in known and p[1] in known))[:MAX_BIGRAMS]


def _useful_terms(searcher, terms: list[str]) -> list[str]:
    """Distinct terms that occur in the index, the rarest (most telling) first when cut."""
    reader = searcher.reader()
    known = []
    for term in dict.fromkeys(terms):
        frequency = sum(reader.doc_frequency(f, term) for f in SEARCH_FIELDS)
        if frequency:
            known.append((frequency, term))
    if len(known) > MAX_QUERY_TERMS:
        known = sorted(known)[:MAX_QUERY_TERMS]
    return [term for _, term in known]


def _corrections(searcher, text: str) -> dict[str, str]:
    """Words of a short query that the index does not know, with their likeliest spelling."""
    words = analyze(text, plain=True)
    if len(words) > MAX_CORRECTED_WORDS:
        return {}
    reader = searcher.reader()
    corrections = {}
    for word in dict.fromkeys(words):
        if len(word) < 4 or any(c.isdigit() for c in word) or reader.frequency("spelling", word):
            continue
        if split := _split_compound(reader, word):
            corrections[word] = split
            continue
        maxdist = 1 if len(word) < 7 else 2
        candidates = [
            (damerau_levenshtein(word, c), -reader.doc_frequency("spelling", c), c)
            for c in reader.terms_within("spelling", word, maxdist)
            if c != word and len(c) >= 3
        ]
        if candidates:
            corrections[word] = min(candidates)[2]
    return corrections


def _split_compound(reader, word: str) -> str | None:
    """`ratelimit` -> `rate limit`: two known words written together."""
    for cut in range(3, len(word) - 2):
        left, right = word[:cut], word[cut:]
        if reader.frequency("spelling", left) and reader.frequency("spelling", right):
            return f"{left} {right}"
    return None


def _build_query(terms, bigrams, synonym_groups, context_terms=()):
    """Each term scores by its best field (plus a little for the others); documents that match
    more of the query's parts get a coordination bonus. Neighbouring terms found together add a
    proximity bonus, each synonym group the query touches counts once, by its best phrase, and
    terms seen only in the paste's URLs count for less."""

    def best_field(make, fields=SEARCH_FIELDS, boost: float = 1.0):
        return DisjunctionMax([make(f, FIELD_BOOSTS[f] * boost) for f in fields], tiebreak=0.3)

    def term(t):
        return lambda f, b: Term(f, t, boost=b)

    def phrase(words, slop=1):
        return lambda f, b: Phrase(f, list(words), slop=slop, boost=b)

    subqueries = [best_field(term(t)) for t in terms]
    subqueries += [
        best_field(phrase(pair, slop=PROXIMITY_SLOP), PHRASE_FIELDS, BIGRAM_BOOST)
        for pair in bigrams
    ]
    for group in synonym_groups:
        alternatives = [
            best_field(term(p[0]) if len(p) == 1 else phrase(p), boost=SYNONYM_BOOST) for p in group
        ]
        subqueries.append(DisjunctionMax(alternatives))
    subqueries += [best_field(term(t), boost=CONTEXT_BOOST) for t in context_terms]
    return Or(subqueries, scale=0.7) if subqueries else None


def _split_paste(text: str) -> tuple[str, str]:
    """A paste as (what describes the problem, its context).

    Headers that every response carries (Content-Type, Date, Server...) are dropped: they would
    match entries about JSON or dates, not the problem. URLs are context: `company_id=42` in a
    failing request's URL is not why it failed, so their terms weigh less than the message's.
    """
    text = ROUTINE_HEADER_LINE.sub(" ", text)
    context = " ".join(URL.findall(text))
    return URL.sub(" ", text), context


def _apply_corrections(text: str, corrections: dict[str, str]) -> str:
    def replace(match):
        word = match.group(0)
        return corrections.get(word.lower(), word)

    return re.sub(TOKEN_PATTERN, replace, text)


_formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
_fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)


TECHNICAL_MARK = re.compile(r"<mark[^>]*>[^<]*[-_./0-9][^<]*</mark>")


def _snippet(hit, fallback: str) -> SafeString:
    """The matching text with the matched words marked (Whoosh escapes the text around them).

    The answer usually reads best; but when the developer pasted something technical (an error
    code, a header name, a status) and a symptom has it, that symptom line shows they are in
    the right place.
    """
    highlights = {f: hit.highlights(f, top=2) for f in ("answer", "symptoms", "question")}
    order = ("answer", "symptoms", "question")
    if TECHNICAL_MARK.search(highlights["symptoms"] or ""):
        order = ("symptoms", "answer", "question")
    for fieldname in order:
        html = highlights[fieldname]
        if html and "<mark" in html:
            separator = " · " if fieldname == "symptoms" else " "
            return mark_safe(separator.join(html.split("\n")))
    return escape(fallback[:200])


def _relevant(results) -> list:
    """The hits worth showing: a match far weaker than the best one is noise."""
    if results.is_empty():
        return []
    floor = results[0].score * RELATIVE_CUTOFF
    return [hit for hit in results if hit.score >= floor]


def _hits(relevant: list, limit: int) -> list[Hit]:
    from kb.models import Entry

    pks = [int(hit["pk"]) for hit in relevant[:limit]]
    # The database has the last word: an entry unpublished a moment ago is never shown.
    entries = Entry.objects.published().select_related("category").in_bulk(pks)
    hits = []
    for hit in relevant[:limit]:
        entry = entries.get(int(hit["pk"]))
        if entry is None:
            continue
        hits.append(Hit.for_entry(entry, hit.score, _snippet(hit, entry.summary(200))))
    return hits


def search(text: str, limit: int = 10) -> SearchResults:
    """Ranked published entries for a query, a pasted message or a pasted response."""
    text = (text or "").strip()[:MAX_INPUT_CHARS]
    results = SearchResults(query=text)
    if not text:
        return results
    try:
        return _search(text, limit, results)
    except Exception:
        logger.exception("search failed; rebuilding the index from the database")
    try:
        _cache.close()
        rebuild()
        return _search(text, limit, SearchResults(query=text))
    except Exception:
        logger.exception("the index cannot be rebuilt; answering from the database")
        return _database_search(text, limit)


def _database_search(text: str, limit: int) -> SearchResults:
    """A plain word match over the published questions and symptoms, for when the index is
    unusable (a full disk, say): slower and cruder, but the developer still gets answers."""
    words = list(dict.fromkeys(analyze(text, plain=True)))[:MAX_QUERY_TERMS]
    scored = []
    for entry in _published_entries():
        haystack = f"{entry.question} {entry.symptoms}".lower()
        score = sum(1 for word in words if word in haystack)
        if score:
            scored.append((score, entry))
    scored.sort(key=lambda pair: -pair[0])
    hits = [Hit.for_entry(e, score, escape(e.summary(200))) for score, e in scored[:limit]]
    return SearchResults(query=text, total=len(scored), hits=hits)


def _search(text: str, limit: int, results: SearchResults) -> SearchResults:
    if not _current_link().exists():
        rebuild()
    with _cache.searcher_for_request() as searcher:
        message, context = _split_paste(text)
        analyzed = analyze(message)
        typed_terms = terms = _useful_terms(searcher, analyzed)
        corrections = _corrections(searcher, message)
        if corrections:
            analyzed = analyze(_apply_corrections(message, corrections))
            terms = list(dict.fromkeys(terms + _useful_terms(searcher, analyzed)))
        context_terms = [t for t in _useful_terms(searcher, analyze(context)) if t not in terms]
        query = _build_query(
            terms, _bigrams(analyzed, set(terms)), _synonym_groups(analyzed), context_terms
        )
        found = searcher.search(query, limit=MAX_CANDIDATES, terms=True) if query else None
        if corrections:
            results.suggestion = " ".join(_apply_corrections(message, corrections).split())
            results.corrected = not typed_terms
        if found is None or found.is_empty():
            return results
        found.fragmenter, found.formatter = _fragmenter, _formatter
        relevant = _relevant(found)
        results.hits = _hits(relevant, limit)
        # Entries the database no longer publishes are dropped from the count as well.
        results.total = len(relevant) - (min(len(relevant), limit) - len(results.hits))
    return results
