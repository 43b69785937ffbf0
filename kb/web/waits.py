"""How long a request waits for the database's write lock.

One long writer (a migration, a bulk import, an operator's `BEGIN IMMEDIATE` in sqlite3) must
not hold every request until gunicorn kills its worker (30 s, a 502 behind nginx). So:

- a write the request exists for (saving an entry, a vote, signing in) waits at most
  KB_DATABASE_LOCK_WAIT_SECONDS (5 s by default) for the lock, then fails; a lock that is not
  granted is answered 503 with Retry-After (kb/web/errors.py), never a 500;
- a write that is worth less than the request (`optional_write`: the search log, reading
  counters, the health check's write test) waits at most OPTIONAL_WRITE_WAIT seconds (a
  throttle count 1 s, kb/web/throttle.py, so a burst cannot crowd its way past), then each
  caller does what its purpose requires: the search log and the reading counters are skipped
  (counters are kept for the next flush), a throttle lets reading and searching through
  uncounted, and a form that sends e-mail is refused (fail closed).

A request therefore waits at most its optional waits (about 1.5 s) plus one
KB_DATABASE_LOCK_WAIT_SECONDS, since the first lock that is not granted ends it; reads never
wait (SQLite in WAL mode, and PostgreSQL's readers are not blocked by writers).

SQLite: the wait is the connection's busy timeout (Django's OPTIONS "timeout"), lowered for an
optional write with `PRAGMA busy_timeout` and put back after. PostgreSQL: every connection
starts with `lock_timeout` and `statement_timeout` (OPTIONS "options", kb/settings.py), and an
optional write lowers `lock_timeout` for its own transaction with SET LOCAL.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection, transaction

# Long enough for a burst of ordinary writes from other workers (each a few milliseconds),
# short enough that three of them in one request go unnoticed.
OPTIONAL_WRITE_WAIT = 0.25


def _sqlite_busy_timeout(seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")


@contextmanager
def optional_write(seconds: float = OPTIONAL_WRITE_WAIT) -> Iterator[None]:
    """A transaction (a savepoint inside another) whose writes wait at most `seconds` for the
    lock; a lock not granted raises DatabaseError, as any refused write does."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        _sqlite_busy_timeout(seconds)
        try:
            with transaction.atomic():
                yield
        finally:
            try:
                _sqlite_busy_timeout(settings.KB_DATABASE_LOCK_WAIT_SECONDS)
            except DatabaseError:
                connection.close()  # the next query opens a connection with the default
        return
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                # SET LOCAL lasts until the end of the transaction: this one alone.
                cursor.execute(f"SET LOCAL lock_timeout = '{int(seconds * 1000)}ms'")
        yield
