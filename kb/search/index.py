"""The index on disk: its schema, its generations, the locks, and the searcher each process
keeps. What to write and when is decided in kb.search.sync.

`KB_INDEX_DIR/current` is a symlink to a generation folder. A rebuild writes a new generation
beside it and swaps the link, so searches keep answering from the old one meanwhile. Each
generation records in `applied-change` the number and the token of the last change of the
change log (kb.search.models) it contains, in one file written atomically. Every write to a
generation holds the node's write lock for as long as the write takes, a few milliseconds for
an entry; nobody waits for it long.

Indexes are opened without mmap: a segment file truncated by a full disk or a crash would
otherwise kill the process with SIGBUS when read; read through files, it raises an error
that the search turns into a rebuild.
"""

import fcntl
import logging
import math
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import MERGE_SMALL

from kb.content.models import Entry
from kb.search import building, postings
from kb.search.analysis import ANALYZER, PLAIN_ANALYZER
from kb.search.changes import Mark

logger = logging.getLogger(__name__)

KEEP_GENERATIONS = 2
# Saves add a segment each (write_entries); past this many, the small ones are merged in the
# background (kb.search.sync.merge_soon), so that searches do not read ever more segments.
MERGE_AT_SEGMENTS = 10
APPLIED_FILE = "applied-change"


class IndexLocked(Exception):
    """Another process holds the lock, and waiting longer is not worth it."""


def schema() -> Schema:
    # Only the key is stored: results are read from the database (kb.search.engine), so the
    # index does not carry a second copy of every answer to write, merge and read.
    return Schema(
        pk=ID(stored=True, unique=True),
        question=TEXT(analyzer=ANALYZER),
        symptoms=TEXT(analyzer=ANALYZER),
        category=TEXT(analyzer=ANALYZER),
        answer=TEXT(analyzer=ANALYZER),
        spelling=TEXT(analyzer=PLAIN_ANALYZER, phrase=False),
    )


# The fields searched, whose posting lists are also kept as arrays (kb.search.postings).
SCORED_FIELDS = ("question", "symptoms", "category", "answer")


class _EntryBM25F(scoring.BM25F):
    """BM25F whose rarity of a term is counted in entries, not in each field: Whoosh's own
    counts the entries that have the term in the field scored, so a word that most answers
    use ("request", "client") weighed as much in a question as a telling one, only because
    few questions have it; a pasted `requests.exceptions.HTTPError: 401 ...` then found the
    CORS entry (whose question says "request") above the one about 401s. The count is the
    term's entries in its most common field (at least the entries that have it; the exact
    count would need the union of its lists)."""

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        entries = max(field_frequencies(parent, text).values())
        return math.log(parent.doc_count_all() / (entries + 1)) + 1


# Symptoms are a list of the ways developers put one problem, not one text: an entry that
# lists fourteen is hardly diluted by them, so their length lowers a match little
# (symptoms_B=0.3, as for the question). Scored by their length as an answer is (0.75), the
# FAQ's 429 entry (fourteen symptoms) fell below 500 synthetic entries for "429 Too Many
# Requests" at 10,000 entries. (At 0, hit@1 there was higher still, but on the FAQ alone
# "refresh token" then put the entry that repeats it in the most symptoms above the one
# about its lifetime.)
WEIGHTING = _EntryBM25F(B=0.75, K1=1.2, question_B=0.3, symptoms_B=0.3, category_B=0.0)


def root() -> Path:
    return Path(settings.KB_INDEX_DIR)


def current_link() -> Path:
    return root() / "current"


def current_generation() -> Path | None:
    """The live generation's folder, or None when there is no index."""
    link = current_link()
    if not link.is_symlink() and not link.exists():
        return None
    path = Path(os.path.realpath(link))
    return path if path.is_dir() else None


@contextmanager
def _flock(name: str, timeout: float):
    """An exclusive lock on a file of the index folder, shared by every process of this node.
    Waits up to `timeout` seconds (0: not at all), then raises IndexLocked."""
    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLocked(f"{name} is held by another process") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_lock(timeout: float):
    """Held while a generation is written to, or while `current` is swapped."""
    return _flock("write.lock", timeout)


def rebuild_lock(timeout: float):
    """Held for a whole rebuild, so that a node builds one new generation at a time."""
    return _flock("rebuild.lock", timeout)


def open_generation(path: Path):
    return FileStorage(str(path), supports_mmap=False).open_index()


def applied_mark(generation: Path) -> Mark | None:
    """The last change this generation contains, number and token; None for an index that
    does not say (or says only the number, as indexes did before tokens)."""
    try:
        seq, token = (generation / APPLIED_FILE).read_text().split()
        return Mark(int(seq), "" if token == "-" else token)
    except (OSError, ValueError):
        return None


def applied_change(generation: Path) -> int | None:
    """The number of the last change this generation contains; None if it does not say."""
    mark = applied_mark(generation)
    return mark.seq if mark else None


def set_applied_change(generation: Path, mark: Mark) -> None:
    temporary = generation / f".{APPLIED_FILE}-{os.getpid()}-{threading.get_ident()}"
    # A token before any change is "": written as "-", so the file is always two words.
    temporary.write_text(f"{mark.seq} {mark.token or '-'}")
    os.replace(temporary, generation / APPLIED_FILE)


def documents(entries: Iterable) -> Iterator[dict]:
    for entry in entries:
        text = entry.answer_text
        words = [entry.question, entry.symptoms, entry.category.name, text]
        yield {
            "pk": str(entry.pk),
            "question": entry.question,
            "symptoms": "\n".join(entry.symptom_list),
            "category": entry.category.name,
            "answer": text,
            # Spelling needs to know which words occur in how many entries, not how often: each
            # word once (the analyzer splits on white space first, so nothing else changes).
            # A rebuild gathers them into one document per segment (kb.search.building).
            "spelling": " ".join(dict.fromkeys(" ".join(words).lower().split())),
        }


def write_entries(generation: Path, pks: Iterable[int]) -> None:
    """Re-index these entries in a generation, from the database as it is now: published ones
    are (re)written, the others dropped. The caller holds the write lock, so reading the rows
    inside it means the last writer always writes the latest state."""
    keys = {str(pk) for pk in pks}
    if not keys:
        return
    published = indexed_entries().filter(pk__in=keys)
    writer = open_generation(generation).writer()
    try:
        for key in keys:
            writer.delete_by_term("pk", key)
        for document in documents(published):
            writer.add_document(**document)
    except BaseException:
        writer.cancel()
        raise
    # Not merged here: Whoosh's merge of small segments at the end of a commit took 0.5 to
    # 1.7 s of one save in five at 10,000 entries. merge_small_segments() does it later, off
    # the save's path (kb.search.sync.merge_soon).
    writer.commit(merge=False)
    _write_postings(generation)


def merge_small_segments(generation: Path) -> None:
    """Merge the generation's small segments (Whoosh's own policy, MERGE_SMALL), as a commit
    that adds nothing. The caller holds the write lock."""
    open_generation(generation).writer().commit(mergetype=MERGE_SMALL)
    _write_postings(generation)


def _write_postings(generation: Path) -> None:
    """The posting arrays of a segment a write has just made (kb.search.postings), under the
    write lock that made it: written by a search instead, they could be written just after a
    merge's cleanup removed the segment, and stay behind until the next write."""
    postings.write_generation(generation, open_generation(generation), SCORED_FIELDS)


PROGRESS_EVERY = 250  # entries between two reports of a rebuild's progress
# Below this many entries a rebuild takes a few seconds in one process, less than starting more.
PARALLEL_FROM = 2000


def build_generation(
    applied: Mark,
    progress: Callable[[str, int, int], None] | None = None,
    processes: int = 1,
) -> Path:
    """A new generation holding every published entry, marked as containing changes up to
    `applied`. Takes no lock: nothing reads or writes it until it is swapped in. `progress`
    is told (stage, done, total) on the way: "entries" as they are read and analysed, then
    "writing" once (Whoosh writes the segment at the end) and "arrays". With `processes`
    above 1 and at least PARALLEL_FROM entries, the entries are analysed and written by that
    many forked processes (kb.search.building): only from a single-threaded process."""
    generation = root() / f"gen-{time.time_ns()}"
    generation.mkdir(parents=True)
    try:
        _build(generation, applied, progress or (lambda stage, done, total: None), processes)
    except BaseException:
        # A half-built generation is of no use to anyone, and a full disk is the usual cause:
        # it must not stay to fill the disk further at every attempt.
        shutil.rmtree(generation, ignore_errors=True)
        raise
    return generation


def _build(
    generation: Path, applied: Mark, report: Callable[[str, int, int], None], processes: int
) -> None:
    ix = FileStorage(str(generation), supports_mmap=False).create_index(schema())
    total = indexed_entries().count()
    report("entries", 0, total)

    def counted(entries: Iterable[dict]) -> Iterator[dict]:
        done = 0
        for done, document in enumerate(entries, start=1):  # noqa: B007 - reported after
            yield document
            if done % PROGRESS_EVERY == 0:
                report("entries", done, total)
        report("writing", done, total)

    entries = counted(documents(indexed_entries().iterator(chunk_size=500)))
    if processes > 1 and total >= PARALLEL_FROM:
        building.write_segments(ix, entries, processes)
    else:
        with ix.writer() as writer:
            building.write_documents(writer, entries)
    report("arrays", total, total)
    _write_postings(generation)
    set_applied_change(generation, applied)  # last: a generation without it is unfinished


def swap_in(generation: Path) -> None:
    """Point `current` at a generation atomically, and remove older generations but one.
    The caller holds the write lock."""
    folder = root()
    temporary_link = folder / f".current-{os.getpid()}-{threading.get_ident()}"
    temporary_link.unlink(missing_ok=True)
    temporary_link.symlink_to(generation.name)
    os.replace(temporary_link, current_link())
    older = sorted(
        (p for p in folder.glob("gen-*") if p.name < generation.name),
        key=lambda p: p.name,
        reverse=True,
    )
    # A generation newer than this one is another rebuild still writing: it stays.
    for old in older[KEEP_GENERATIONS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def sweep_leftovers() -> list[Path]:
    """Remove what failed or killed rebuilds left in the index folder: every generation but
    the current one and the newest finished one before it (kept on purpose, by swap_in), and
    temporary files. The caller holds the rebuild lock, so no generation is being built; the
    removed folders are returned."""
    folder = root()
    live = current_generation()
    generations = sorted(folder.glob("gen-*"), key=lambda p: p.name, reverse=True)
    kept = {live.name} if live else set()
    if live is not None:
        older = [p.name for p in generations if p.name < live.name and applied_mark(p)]
        kept.update(older[: KEEP_GENERATIONS - 1])
    removed = [p for p in generations if p.name not in kept]
    for leftover in removed:
        shutil.rmtree(leftover, ignore_errors=True)
    for temporary in folder.glob(".current-*"):
        temporary.unlink(missing_ok=True)
    return removed


def published_entries():
    return Entry.objects.published().select_related("category")


def indexed_entries():
    """Published entries with only what the index is built from."""
    fields = ("pk", "question", "symptoms", "answer_text", "category__name")
    return published_entries().only(*fields)


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
            path = os.path.realpath(current_link())
            if self.searcher is None or path != self.path or not self.searcher.up_to_date():
                # A fresh searcher, not Searcher.refresh(): refresh reuses the readers of
                # unchanged segments and misses deletions recorded in them since.
                self.close()
                ix = open_generation(Path(path))
                self.path, self.searcher = path, ix.searcher(weighting=WEIGHTING)
                _keep_lengths_in_memory(self.searcher)
            yield self.searcher

    def close(self):
        if self.searcher is not None:
            self.searcher.close()
        self.path = self.searcher = None


def scoring_leaves(searcher) -> list:
    """The posting arrays and per-document figures of each segment of a searcher of
    `searcher_cache` (kb.search.postings), made once per searcher."""
    return postings.leaves(searcher, Path(searcher_cache.path), SCORED_FIELDS)


def field_frequencies(searcher, term: str) -> dict[str, int]:
    """How many entries have the term, in each searched field: from the posting arrays once a
    search has made them for this searcher (kb.search.postings), as Whoosh counts them, but
    without reading each segment's term table again for each field."""
    made = postings.made_for(searcher)
    if made is not None:
        return {field: made.doc_frequency(field, term) for field in SCORED_FIELDS}
    reader = searcher.reader()
    return {field: reader.doc_frequency(field, term) for field in SCORED_FIELDS}


def generation_key(searcher) -> tuple:
    """What identifies the index a searcher of `searcher_cache` reads, for what is kept per
    generation (kb.search.cache): the generation's folder, its Whoosh commit (any write) and
    the last change of the log it applied (synonyms, which change no document)."""
    path = searcher_cache.path
    return (path, searcher.reader().generation(), applied_change(Path(path)))


class _Lengths:
    """A segment's length column for one field, read whole: one byte per document."""

    def __init__(self, data: bytes):
        self.data = data

    def __getitem__(self, docnum: int) -> int:
        return self.data[docnum] if docnum < len(self.data) else 0


def _keep_lengths_in_memory(searcher) -> None:
    """Read each segment's field lengths once, in one read per field (one byte a document:
    40 KB for 10,000 entries), instead of one file read per posting scored: BM25F needs a
    document's field length for every score, and without mmap each was a seek and a read.
    Whoosh keeps the column readers of a segment in `_perdoc._readers`; should a version
    not, or store lengths otherwise, scoring reads the files as before."""
    for subsearcher, _ in searcher.leaf_searchers():
        perdoc = getattr(subsearcher.reader(), "_perdoc", None)
        if perdoc is None or not hasattr(perdoc, "_cached_reader"):
            continue
        for field in searcher.schema.scorable_names():
            name = _lenfield(field)
            column = perdoc._cached_reader(name, LENGTHS_COLUMN)
            if getattr(column, "_fixedlen", None) == 1 and hasattr(column, "_dbfile"):
                data = column._dbfile.get(column._basepos, column._count)
                perdoc._readers[name] = _Lengths(bytes(data))


searcher_cache = _SearcherCache()
