"""Recording and reading the change log (kb.search.models), with no knowledge of the index."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kb.search.models import SearchChange, SearchChangeCounter

COUNTER_ID = 1


def record(kind: str, ref: int | None = None) -> int:
    """Log a change in the current transaction; returns its number."""
    with transaction.atomic():
        counter = SearchChangeCounter.objects.filter(pk=COUNTER_ID)
        if not counter.update(seq=F("seq") + 1):
            _create_counter()
            counter.update(seq=F("seq") + 1)
        seq = counter.values_list("seq", flat=True).get()
        SearchChange.objects.create(seq=seq, kind=kind, ref=ref)
    return seq


def _create_counter() -> None:
    """The counter row, for a database that lost it (a test flush): it goes on from the log."""
    last = SearchChange.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    try:
        with transaction.atomic():
            SearchChangeCounter.objects.create(pk=COUNTER_ID, seq=last)
    except IntegrityError:
        pass  # another transaction created it first


def latest() -> int:
    """The number of the last committed change; 0 before any."""
    return (
        SearchChangeCounter.objects.filter(pk=COUNTER_ID).values_list("seq", flat=True).first() or 0
    )


def after(seq: int, limit: int) -> list[SearchChange]:
    """The changes after `seq`, oldest first, at most `limit`."""
    return list(SearchChange.objects.filter(seq__gt=seq).order_by("seq")[:limit])


def prune(days: int) -> int:
    """Delete changes older than `days`; a node that had not applied them rebuilds."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = SearchChange.objects.filter(created__lt=cutoff).delete()
    return deleted
