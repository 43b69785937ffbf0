"""Measured deflection: how many readers the answers helped, for the search insights page.

The self-service score is the number of reading sessions (browsers that read answers, see
kb/editorial/reading.py) per escalation to API support in the same period: the higher, the
more developers found their answer without writing in. Its trend is the same figure per week
(per day for a 7-day period). Per entry: views, searches that led to it, votes, and
escalations from readers who had it open, so an engineer sees which answers fail.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from kb.content.models import Entry
from kb.editorial.models import Feedback, ReadingDay
from kb.insights.models import SearchRecord
from kb.support.models import Escalation

ENTRIES_SHOWN = 50


@dataclass
class Score:
    start: date
    end: date
    sessions: int
    escalations: int

    @property
    def value(self) -> float | None:
        """Sessions per escalation; None when nobody escalated (no ratio to speak of)."""
        if not self.escalations:
            return None
        return round(self.sessions / self.escalations, 1)


@dataclass
class EntryFigures:
    entry: Entry
    views: int = 0
    searches: int = 0
    helpful: int = 0
    unhelpful: int = 0
    escalations: int = 0

    @property
    def views_per_escalation(self) -> float | None:
        if not self.escalations:
            return None
        return round(self.views / self.escalations, 1)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def figures(days: int, today: date | None = None) -> dict:
    """The self-service score of the last `days` days, its trend and the per-entry figures."""
    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)
    since = _start_of(start)
    sessions_by_day = ReadingDay.objects.between(start, today).sessions_by_day()
    escalations_by_day = Escalation.objects.since(since).count_by_day()
    step = 1 if days <= 7 else 7
    trend = []
    for n in range(math.ceil(days / step)):
        end = today - timedelta(days=n * step)
        first = max(end - timedelta(days=step - 1), start)
        span = [first + timedelta(days=i) for i in range((end - first).days + 1)]
        trend.append(
            Score(
                first,
                end,
                sum(sessions_by_day.get(d, 0) for d in span),
                sum(escalations_by_day.get(d, 0) for d in span),
            )
        )
    trend.reverse()
    total = Score(start, today, sum(sessions_by_day.values()), sum(escalations_by_day.values()))
    best = max((s.value for s in trend if s.value is not None), default=0)
    return {
        "self_service": total,
        "self_service_trend": trend,
        "self_service_best": best,
        "entry_figures": entry_figures(start, today),
    }


def entry_figures(start: date, end: date, limit: int = ENTRIES_SHOWN) -> list[EntryFigures]:
    """Per entry, for the days from `start` to `end`: the answers that fail come first (most
    escalations, then most "not helpful" votes), then the most read."""
    since, until = _start_of(start), _start_of(end + timedelta(days=1))
    rows: dict[int, dict] = {}

    def add(entry_id, **counts):
        if entry_id is not None:
            row = rows.setdefault(entry_id, {})
            for name, n in counts.items():
                row[name] = row.get(name, 0) + n

    for entry_id, row in ReadingDay.objects.between(start, end).per_entry().items():
        add(entry_id, views=row["views"])
    # (records, the field naming the entry, {figure: how it is counted})
    sources = [
        (
            SearchRecord.objects.filter(created__gte=since, created__lt=until),
            "opened_entry",
            {"searches": Count("pk")},
        ),
        (
            Feedback.objects.filter(updated__gte=since, updated__lt=until),
            "entry",
            {
                "helpful": Count("pk", filter=Q(helpful=True)),
                "unhelpful": Count("pk", filter=Q(helpful=False)),
            },
        ),
        (
            Escalation.objects.filter(created__gte=since, created__lt=until),
            "entry",
            {"escalations": Count("pk")},
        ),
    ]
    for records, entry_field, figures in sources:
        # Prefixed: an annotation may not take the name of a field ("helpful").
        counted = {f"n_{name}": count for name, count in figures.items()}
        for row in records.values(entry_field).annotate(**counted).order_by():
            add(row[entry_field], **{name: row[f"n_{name}"] for name in figures})
    entries = Entry.objects.in_bulk(rows.keys())
    found = [EntryFigures(entries[pk], **counts) for pk, counts in rows.items() if pk in entries]
    found.sort(key=lambda f: (-f.escalations, -f.unhelpful, -f.views, f.entry.question))
    return found[:limit]
