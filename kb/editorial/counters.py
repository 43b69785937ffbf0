"""Reading counters: kept in each process, written to the database in batches.

The reading middleware (kb/editorial/reading.py) adds to them in memory: a lock and a few
dictionary updates, nothing a page would notice even when it comes from a cache. A timer
thread writes them every KB_READING_FLUSH_SECONDS, in one transaction of upserts, and the
process writes what is left when it exits (gunicorn stopping or replacing a worker). A worker
killed outright loses at most that many seconds of counts; with 0, each reading is written at
once, in the request.

The upserts find entries by slug in a subquery and add to the day's row or create it, so no
read comes before them and two workers never race. The same SQL runs on SQLite (3.24 and
later; it needs the WHERE that INSERT ... SELECT ... ON CONFLICT has here) and PostgreSQL: the
ORM has no increment-or-create.
"""

import atexit
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import DatabaseError, connection, connections

from kb.content.models import Entry
from kb.editorial.models import ReadingDay, ReadNext
from kb.web.waits import optional_write

logger = logging.getLogger(__name__)

# Past this many distinct counters a database that keeps refusing them costs memory: drop them.
MAX_PENDING = 10_000


@dataclass
class Pending:
    views: Counter = field(default_factory=Counter)  # (slug, day) -> views
    sessions: Counter = field(default_factory=Counter)  # (slug, day) -> sessions begun
    pairs: Counter = field(default_factory=Counter)  # (from slug, to slug, day) -> readers

    def __len__(self) -> int:
        return len(self.views) + len(self.pairs)

    def add(self, other: "Pending") -> None:
        self.views.update(other.views)
        self.sessions.update(other.sessions)
        self.pairs.update(other.pairs)


_lock = threading.Lock()
_pending = Pending()
_timer: threading.Timer | None = None


def count(slug: str, day: date, previous: str | None) -> None:
    """One reading of `slug` by a browser whose last entry was `previous` (None: a new
    reading session)."""
    global _timer
    delay = settings.KB_READING_FLUSH_SECONDS
    with _lock:
        _pending.views[(slug, day)] += 1
        if previous is None:
            _pending.sessions[(slug, day)] += 1
        elif previous != slug:
            _pending.pairs[(previous, slug, day)] += 1
        if delay and _timer is None:
            _timer = threading.Timer(delay, _flush_in_thread)
            _timer.daemon = True  # never keeps a stopping process alive; atexit writes
            _timer.start()
    if not delay:
        flush()


def flush() -> int:
    """Write what this process counted; returns how many counters were written. What the
    database refuses is logged and kept for the next try."""
    global _pending, _timer
    with _lock:
        taken, _pending = _pending, Pending()
        if _timer is not None:
            _timer.cancel()
            _timer = None
    if not taken:
        return 0
    try:
        # Counters wait a short while for the lock, then are kept for the next flush.
        with optional_write(), connection.cursor() as cursor:
            cursor.executemany(_VIEWS_SQL, _view_rows(taken))
            if taken.pairs:
                cursor.executemany(_PAIRS_SQL, _pair_rows(taken))
    except DatabaseError:
        logger.warning("could not write %d reading counters; kept for later", len(taken))
        with _lock:
            if len(_pending) + len(taken) <= MAX_PENDING:
                _pending.add(taken)
        return 0
    return len(taken)


def discard() -> None:
    """Forget what this process counted (tests: counts from another test's database)."""
    global _pending, _timer
    with _lock:
        _pending = Pending()
        if _timer is not None:
            _timer.cancel()
            _timer = None


def _flush_in_thread() -> None:
    try:
        flush()
    finally:
        connections.close_all()  # this thread's own connections


_VIEWS_SQL = (
    f"INSERT INTO {ReadingDay._meta.db_table} (entry_id, day, views, sessions) "
    f"SELECT id, %s, %s, %s FROM {Entry._meta.db_table} WHERE slug = %s "
    "ON CONFLICT (entry_id, day) DO UPDATE SET "
    f"views = {ReadingDay._meta.db_table}.views + excluded.views, "
    f"sessions = {ReadingDay._meta.db_table}.sessions + excluded.sessions"
)
_PAIRS_SQL = (
    f"INSERT INTO {ReadNext._meta.db_table} (from_entry_id, to_entry_id, day, count) "
    f"SELECT a.id, b.id, %s, %s FROM {Entry._meta.db_table} a, {Entry._meta.db_table} b "
    "WHERE a.slug = %s AND b.slug = %s "
    "ON CONFLICT (from_entry_id, to_entry_id, day) DO UPDATE SET "
    f"count = {ReadNext._meta.db_table}.count + excluded.count"
)


def _view_rows(pending: Pending) -> list[tuple]:
    return [
        (day, views, pending.sessions[(slug, day)], slug)
        for (slug, day), views in pending.views.items()
    ]


def _pair_rows(pending: Pending) -> list[tuple]:
    return [
        (day, readers, from_slug, to_slug)
        for (from_slug, to_slug, day), readers in pending.pairs.items()
    ]


atexit.register(flush)
