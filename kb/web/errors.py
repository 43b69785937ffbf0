"""What a visitor sees when something fails on our side.

A database that refuses writes (read-only for maintenance, a full disk), or whose lock another
writer held past the wait (kb/web/waits.py), is not a bug: the answer is a 503 that says
changes are paused, with Retry-After, wherever the write was tried (a view, the session saved
after it, the sign-in's lockout counter). Anything else is the plain 500 page. Both are
logged with their traceback by Django.
"""

import os
import sys

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


def refuses_writes(exception: BaseException | None) -> bool:
    if not isinstance(exception, DatabaseError):
        return False
    message = str(exception).lower()
    return any(
        sign in message
        for sign in (
            "readonly database",  # SQLite: the file or its folder is not writable
            "read-only transaction",  # PostgreSQL: default_transaction_read_only, a standby
            "database or disk is full",
            "no space left on device",
        )
    )


def lock_not_granted(exception: BaseException | None) -> bool:
    """Another writer held the database's lock past the wait (kb/web/waits.py): SQLite's
    busy timeout, PostgreSQL's lock_timeout."""
    if not isinstance(exception, DatabaseError):
        return False
    message = str(exception).lower()
    return any(
        sign in message
        for sign in ("database is locked", "database table is locked", "lock timeout")
    )


def forget_connection_if_refused(exception: BaseException) -> None:
    """A connection that refused a write goes on refusing (SQLite opened the file read-only; a
    PostgreSQL session keeps its read-only setting): close it, so that the next query opens
    one that can write as soon as the database can again, not a minute later."""
    if refuses_writes(exception):
        connection.close()


def note_whether_sqlite_opened_read_only(sender, connection, **kwargs) -> None:
    """SQLite opens a file it may not write read-only, silently, and the connection stays so
    after the file can be written again. Remember it (connection_created)."""
    if connection.vendor == "sqlite":
        connection.kb_opened_read_only = not os.access(connection.settings_dict["NAME"], os.W_OK)


def reopen_sqlite_once_writable(**kwargs) -> None:
    """At the start of each request (request_started): a connection that opened the file
    read-only is replaced as soon as the file can be written, before a write is refused on it.
    One access() call, and only while such a connection is open."""
    if (
        getattr(connection, "kb_opened_read_only", False)
        and connection.connection is not None
        and os.access(connection.settings_dict["NAME"], os.W_OK)
    ):
        connection.close()


def server_error(request: HttpRequest) -> HttpResponse:
    exception = sys.exc_info()[1]
    if refuses_writes(exception) or lock_not_granted(exception):
        forget_connection_if_refused(exception)
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    # Rendered with the request, unlike Django's own handler, so that the context processors
    # give the page its support address; they touch no database.
    return render(request, "500.html", status=500)
