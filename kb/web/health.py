"""/healthz: whether this node can serve, and what is wrong if not, for an operator or a load
balancer.

    {"status": "ok" | "degraded" | "error",
     "database": "ok" | "read-only" | "busy" | "not-migrated" | "unreachable",
     "index": "current" | "behind" | "missing" | "unknown",
     "changes": {"applied": n, "latest": m}}

"changes" also says how far a running rebuild is ("rebuild"), and, when rebuilds fail (a full
disk), how often, why, and in how many seconds the node tries again ("rebuild_failed").

503 only when the database cannot be read, or lacks the site's tables: the node then has
nothing to serve. A read-only
database, one whose write lock another writer holds ("busy": a migration, a long import), or
an index behind the change log is "degraded" with 200: pages and search still
answer (search from the database, or a little stale), and the index catches up by itself.
"""

import time

from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kb import search
from kb.web.errors import forget_connection_if_refused, lock_not_granted
from kb.web.models import ThrottleWindow
from kb.web.waits import optional_write

# How long the write test waits for the lock: /healthz must answer well within a load
# balancer's timeout whatever the database does.
HEALTH_WRITE_WAIT = 0.5


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unreachable"
    try:
        # The site's own tables: a database without them (a forgotten DATABASE_URL, a deploy
        # that skipped migrate) answers SELECT 1 but cannot serve a page. Read through this
        # package's own model, as web imports no other concern's (its throttle table is
        # created by the same migrations as the entries', and later than them).
        list(ThrottleWindow.objects.order_by().values_list("pk")[:1])
    except DatabaseError:
        return "not-migrated"
    try:
        # A write that is always undone: a read-only database refuses it at once, and a lock
        # held by a long writer is waited for only briefly, so /healthz answers within
        # HEALTH_WRITE_WAIT whatever the database does (reads never wait).
        with optional_write(HEALTH_WRITE_WAIT):
            ThrottleWindow.objects.create(key="healthz:write-check", window_end=0)
            transaction.set_rollback(True)
    except DatabaseError as error:
        if lock_not_granted(error):
            return "busy"
        forget_connection_if_refused(error)  # the next request opens a writable one if it can
        return "read-only"
    return "ok"


def _index() -> tuple[str, dict]:
    try:
        state = search.index_state()
    except Exception:  # the change log unreadable, the folder gone: say so, do not fail
        return "unknown", {}
    changes = {"applied": state["applied_change"], "latest": state["latest_change"]}
    if state.get("rebuild"):  # how far a rebuild of this node is, while one runs
        changes["rebuild"] = state["rebuild"]
    if failed := state.get("rebuild_failed"):  # rebuilds fail (a full disk): backing off
        changes["rebuild_failed"] = {
            "failures": failed["failures"],
            "error": failed["error"],
            "retry_in": max(0, round(failed["retry_at"] - time.time())),
        }
    if not state["exists"]:
        return "missing", changes
    return ("current" if state["current"] else "behind"), changes


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    database = _database()
    if database in ("unreachable", "not-migrated"):
        return JsonResponse(
            {"status": "error", "database": database, "index": "unknown"}, status=503
        )
    index, changes = _index()
    status = "ok" if database == "ok" and index == "current" else "degraded"
    return JsonResponse(
        {"status": status, "database": database, "index": index, "changes": changes}
    )
