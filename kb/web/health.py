"""/healthz: whether this node can serve, and what is wrong if not, for an operator or a load
balancer.

    {"status": "ok" | "degraded" | "error",
     "database": "ok" | "read-only" | "not-migrated" | "unreachable",
     "index": "current" | "behind" | "missing" | "unknown",
     "changes": {"applied": n, "latest": m}}

503 only when the database cannot be read, or lacks the site's tables: the node then has
nothing to serve. A read-only
database or an index behind the change log is "degraded" with 200: pages and search still
answer (search from the database, or a little stale), and the index catches up by itself.
"""

from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kb.content.models import Entry
from kb.search import sync as search_sync
from kb.web.errors import forget_connection_if_refused
from kb.web.models import ThrottleWindow


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unreachable"
    try:
        # The site's own tables: a database without them (a forgotten DATABASE_URL, a deploy
        # that skipped migrate) answers SELECT 1 but cannot serve a page.
        list(Entry.objects.order_by().values_list("pk")[:1])
    except DatabaseError:
        return "not-migrated"
    try:
        # A write that is always undone: a read-only database refuses it at once.
        with transaction.atomic():
            ThrottleWindow.objects.create(key="healthz:write-check", window_end=0)
            transaction.set_rollback(True)
    except DatabaseError as error:
        forget_connection_if_refused(error)  # the next request opens a writable one if it can
        return "read-only"
    return "ok"


def _index() -> tuple[str, dict]:
    try:
        state = search_sync.status()
    except Exception:  # the change log unreadable, the folder gone: say so, do not fail
        return "unknown", {}
    changes = {"applied": state["applied_change"], "latest": state["latest_change"]}
    if state.get("rebuild"):  # how far a rebuild of this node is, while one runs
        changes["rebuild"] = state["rebuild"]
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
