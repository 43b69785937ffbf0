"""The index on disk: its schema, generations, the write lock, and the searcher each process
keeps.

`KB_INDEX_DIR/current` is a symlink to a generation folder. A rebuild writes a new generation
and swaps the link, so searches keep answering from the old one meanwhile. Every write (an
entry update or a rebuild) holds one file lock for the whole index, re-reads the database
inside it, and so never loses an update. Each process keeps a searcher and reopens it when the
link or the index has changed, so every gunicorn worker sees a save at once.
"""

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import transaction
from whoosh import index, scoring
from whoosh.fields import ID, STORED, TEXT, Schema

from kb.content.models import Entry
from kb.search.analysis import ANALYZER, PLAIN_ANALYZER

logger = logging.getLogger(__name__)

LOCK_TIMEOUT = 30.0  # seconds a writer waits for the index lock
KEEP_GENERATIONS = 2


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


# ---------------------------------------------------------------------------------------
# Where the index lives, and the lock every writer holds


def _root() -> Path:
    return Path(settings.KB_INDEX_DIR)


def current_link() -> Path:
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
        # Stored line by line (paragraphs, list items, table cells): snippets are sentences.
        lines = (" ".join(line.split()) for line in entry.answer_text.splitlines())
        text = "\n".join(line for line in lines if line)
        yield {
            "pk": str(entry.pk),
            "slug": entry.slug,
            "question": entry.question,
            "symptoms": "\n".join(entry.symptom_list),
            "category": entry.category.name,
            "answer": text,
            "spelling": " ".join([entry.question, entry.symptoms, entry.category.name, text]),
        }


def published_entries():
    return Entry.objects.published().select_related("category")


def rebuild() -> Path:
    """Build a new generation from the database and point `current` at it atomically."""
    root = _root()
    with _write_lock():
        generation = root / f"gen-{time.time_ns()}"
        generation.mkdir(parents=True)
        ix = index.create_in(str(generation), _schema())
        with ix.writer() as writer:
            for document in _documents(published_entries()):
                writer.add_document(**document)
        temporary_link = root / f".current-{os.getpid()}-{threading.get_ident()}"
        temporary_link.unlink(missing_ok=True)
        temporary_link.symlink_to(generation.name)
        os.replace(temporary_link, current_link())
        _remove_old_generations(root, keep=generation)
    logger.info("search index rebuilt in %s", generation)
    return generation


def _remove_old_generations(root: Path, keep: Path) -> None:
    generations = sorted(root.glob("gen-*"), key=lambda p: p.name, reverse=True)
    for old in generations[KEEP_GENERATIONS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def _open_current():
    path = os.path.realpath(current_link())
    return path, index.open_dir(path)


def update_entries(pks: Iterable[int]) -> None:
    """Re-index these entries from the database: published ones are (re)written, others dropped.

    Reading the rows inside the lock means the last writer always writes the latest state.
    """
    pks = {str(pk) for pk in pks}
    if not pks or not current_link().exists():
        # No index yet (a first `load_faq`): the next search or `rebuild_index` builds it from
        # the database, with these entries, so building it here too would be work done twice.
        return
    with _write_lock():
        _, ix = _open_current()
        published = published_entries().filter(pk__in=pks)
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
            path = os.path.realpath(current_link())
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


searcher_cache = _SearcherCache()
