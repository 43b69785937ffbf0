"""Recording and reading the change log (kb.search.models), with no knowledge of the index."""

from datetime import timedelta
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kb.search.models import SearchChange, SearchChangeCounter, new_token

COUNTER_ID = 1


class Mark(NamedTuple):
    """Which change: its number, and its random token, which tells it from a change given the
    same number in another history (a database restored from a backup)."""

    seq: int
    token: str


def record(kind: str, ref: int | None = None) -> int:
    """Log a change in the current transaction; returns its number."""
    with transaction.atomic():
        counter = SearchChangeCounter.objects.filter(pk=COUNTER_ID)
        token = new_token()
        if not counter.update(seq=F("seq") + 1, token=token):
            _create_counter()
            counter.update(seq=F("seq") + 1, token=token)
        seq = counter.values_list("seq", flat=True).get()
        SearchChange.objects.create(seq=seq, kind=kind, ref=ref, token=token)
    return seq


def _create_counter() -> None:
    """The counter row, for a database that lost it (a test flush): it goes on from the log."""
    last = SearchChange.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    try:
        with transaction.atomic():
            SearchChangeCounter.objects.create(pk=COUNTER_ID, seq=last, token=new_token())
    except IntegrityError:
        pass  # another transaction created it first


def latest() -> int:
    """The number of the last committed change; 0 before any."""
    return (
        SearchChangeCounter.objects.filter(pk=COUNTER_ID).values_list("seq", flat=True).first() or 0
    )


def latest_mark() -> Mark:
    """The number and token of the last committed change; (0, "") before any."""
    row = SearchChangeCounter.objects.filter(pk=COUNTER_ID).values_list("seq", "token").first()
    return Mark(*row) if row else Mark(0, "")


def token_of(seq: int) -> str | None:
    """The token of change `seq`, or None when the log no longer holds it (or never did)."""
    return SearchChange.objects.filter(seq=seq).values_list("token", flat=True).first()


def after(seq: int, limit: int) -> list[SearchChange]:
    """The changes after `seq`, oldest first, at most `limit`."""
    return list(SearchChange.objects.filter(seq__gt=seq).order_by("seq")[:limit])


def prune(days: int) -> int:
    """Delete changes older than `days`; a node that had not applied them rebuilds."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = SearchChange.objects.filter(created__lt=cutoff).delete()
    return deleted
