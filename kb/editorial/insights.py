"""Search insights: what the public searched for, and whether it found something to open.

The search view calls `record_search` after every public search and puts the id it returns
on the result links as `?sq=<id>`; the entry page calls `mark_opened` with it. Only the
normalized query text, the result count, the time and the `opened` flag are stored.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from kb.editorial.models import SearchRecord

# A result link opened long after the search (a bookmark, a shared URL) says nothing
# about that search, so only recent records can be marked as opened.
OPEN_WINDOW = timedelta(hours=6)
# Searches from one box within this time that extend or trim each other are one search.
REFINE_WINDOW = timedelta(minutes=2)

PERIOD_CHOICES = [(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")]
DEFAULT_PERIOD = 30


def normalize_query(query: str) -> str:
    """Trimmed, single-spaced, lower-case and short, so that variants count as one query."""
    # NUL cannot be stored in a PostgreSQL text column; treat it as a space.
    text = " ".join(query.replace("\x00", " ").split()).lower()
    return text[: SearchRecord.QUERY_MAX_LENGTH].rstrip()


def record_search(query: str, total: int, refines: str | None = None) -> int | None:
    """Store one public search; returns the record's id, or None for an empty query.

    Searching as you type sends "refu", "refresh", "refresh tok"... each time the typist
    pauses. `refines` is the id of the search that the same search box sent just before: while
    the new query only extends or trims that one, and no result of it was opened, the record is
    updated in place, so insights count what people finally searched for, not every keystroke.
    """
    normalized = normalize_query(query or "")
    if not normalized:
        return None
    results = max(int(total), 0)
    previous = _recent_record(refines, REFINE_WINDOW)
    if previous is not None and not previous.opened and _same_search(previous.query, normalized):
        previous.query, previous.results, previous.created = normalized, results, timezone.now()
        previous.save(update_fields=["query", "results", "created"])
        return previous.pk
    return SearchRecord.objects.create(query=normalized, results=results).pk


def _same_search(before: str, after: str) -> bool:
    return before.startswith(after) or after.startswith(before)


def _recent_record(search_id: str | None, window: timedelta) -> SearchRecord | None:
    if not _is_id(search_id):
        return None
    return SearchRecord.objects.filter(
        pk=int(search_id), created__gte=timezone.now() - window
    ).first()


def _is_id(search_id: str | None) -> bool:
    # Beyond 18 digits it is junk, and too big for the database's 64-bit ids.
    return (
        bool(search_id) and search_id.isascii() and search_id.isdecimal() and len(search_id) <= 18
    )


def mark_opened(search_id: str | None) -> None:
    """Note that a result of this search was opened; anything that is not a recent id is ignored."""
    if not _is_id(search_id):
        return
    SearchRecord.objects.filter(
        pk=int(search_id), opened=False, created__gte=timezone.now() - OPEN_WINDOW
    ).update(opened=True)


def prune_search_log(days: int | None = None) -> int:
    """Delete records older than the retention period; returns how many were deleted."""
    if days is None:
        days = settings.KB_SEARCH_LOG_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = SearchRecord.objects.filter(created__lt=cutoff).delete()
    return deleted


def insights(days: int, limit: int = 50) -> dict[str, QuerySet]:
    """The three lists of the admin's insights page, for the last `days` days."""
    records = SearchRecord.objects.since(timezone.now() - timedelta(days=days))
    return {
        "total_searches": records.count(),
        "top_queries": records.top_queries()[:limit],
        "without_results": records.without_results()[:limit],
        "never_opened": records.never_opened()[:limit],
    }
