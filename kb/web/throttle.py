"""Throttles: at most `limit` requests per client and fixed window, counted atomically.

The count is one SQL statement, an insert that adds one to the window's row when it exists
(`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, in SQLite and PostgreSQL alike), so
concurrent requests from every worker and every node are each counted exactly once: a
read-then-write would let a burst through. Clients are keyed by a keyed hash of their address
(kb.web.client), and rows of ended windows are deleted now and then by the requests themselves.
"""

import random
import time
from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from kb.web.client import client_address
from kb.web.errors import forget_connection_if_refused
from kb.web.models import ThrottleWindow
from kb.web.waits import optional_write

# About one request in this many also deletes the rows of windows that have ended.
CLEANUP_ONE_IN = 200
# How long a count waits for the database's lock (kb/web/waits.py): longer than the search
# log's quarter second, because a count not made lets a request through uncounted, and a
# burst of requests must not be able to slip past by crowding the lock.
COUNT_WAIT = 1.0


@dataclass(frozen=True)
class ThrottleState:
    allowed: bool
    retry_after: int  # seconds until the window ends
    counted: bool = True  # False when the database could not count this request


def client_key(scope: str, request: HttpRequest) -> str:
    digest = salted_hmac(f"kb.throttle.{scope}", client_address(request), algorithm="sha256")
    return f"{scope}:{digest.hexdigest()[:40]}"


def _count(key: str, window_end: int, wait: float) -> int:
    quote = connection.ops.quote_name
    table, key_column, end_column, hits_column = (
        quote(ThrottleWindow._meta.db_table),
        quote("key"),
        quote("window_end"),
        quote("hits"),
    )
    # A savepoint, so that a failure inside a caller's transaction leaves it usable; a short
    # wait for the lock, since a count is worth less than the request (kb/web/waits.py).
    with optional_write(wait), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {end_column}, {hits_column}) "
            "VALUES (%s, %s, 1) "
            f"ON CONFLICT ({key_column}, {end_column}) "
            f"DO UPDATE SET {hits_column} = {table}.{hits_column} + 1 "
            f"RETURNING {hits_column}",
            [key, window_end],
        )
        return cursor.fetchone()[0]


def hit(
    scope: str,
    request: HttpRequest,
    limit: int,
    window: int,
    *,
    fail_closed: bool = False,
    wait: float = COUNT_WAIT,
) -> ThrottleState:
    """Count this request against its client's allowance for the current window.

    When the count cannot be written, reading and searching go on (`fail_closed=False`: the
    request is allowed, uncounted); a request that costs something outside the site, such as
    an e-mail to API support, is refused instead (`fail_closed=True`), since without a count
    nothing would limit how many are sent. `wait` bounds the wait for the database's lock: a
    request that writes anyway (a vote) may wait for its count as long as for its write."""
    now = time.time()
    window_end = (int(now // window) + 1) * window
    retry_after = max(int(window_end - now), 1)
    try:
        count = _count(client_key(scope, request), window_end, wait)
        if random.randrange(CLEANUP_ONE_IN) == 0:
            with optional_write():
                ThrottleWindow.objects.filter(window_end__lt=now).delete()
    except DatabaseError as exc:
        # A database that cannot be written (read-only for maintenance, or locked by a long
        # writer past the short wait) must not take reading down with it: without a count,
        # the request goes through, unless it is one that must never go uncounted.
        forget_connection_if_refused(exc)
        return ThrottleState(not fail_closed, retry_after, counted=False)
    return ThrottleState(count <= limit, retry_after)
