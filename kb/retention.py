"""The search log's retention: what came from the log goes with it.

The log and what was drawn from it live in several packages (insights, editorial, support), so
their retention is kept here, above all of them, as kb/faq.py keeps loading the FAQ.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from kb.editorial.models import ReadingDay, ReadNext
from kb.insights.models import HandledGap, SearchRecord, SymptomDecision
from kb.support.models import Escalation


def prune_search_log(days: int | None = None) -> int:
    """Delete records older than the retention period; returns how many searches were deleted.

    What came from the log goes with it: escalations, reading counts, and the engineers'
    decisions about queries (handled gaps, dismissed or accepted proposals). Only symptoms an
    engineer accepted into an entry outlive it, as part of the entry.
    """
    if days is None:
        days = settings.KB_SEARCH_LOG_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = SearchRecord.objects.filter(created__lt=cutoff).delete()
    Escalation.objects.filter(created__lt=cutoff).delete()
    ReadingDay.objects.filter(day__lt=cutoff.date()).delete()
    ReadNext.objects.filter(day__lt=cutoff.date()).delete()
    HandledGap.objects.filter(handled_at__lt=cutoff).delete()
    SymptomDecision.objects.filter(decided_at__lt=cutoff).delete()
    return deleted
