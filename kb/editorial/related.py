"""Related entries for an entry page: what readers open next, what shares its symptoms, and
the rest of its category to fill the list.

Counted reads stop at yesterday, so the list changes once a day at most, the same day the
page's validator changes (kb/content/caching.py); everything else comes from the published
content, which the validator covers.
"""

import functools
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone

from kb.content.models import Entry
from kb.editorial import terms
from kb.editorial.models import ReadNext

RELATED_LIMIT = 5
# One reader's path is an anecdote; from this many on, it is what readers do.
MIN_READ_NEXT = 2
# Entries share symptoms when the rarer words of one's symptoms are this much in the other's.
MIN_SYMPTOM_OVERLAP = 0.25


@dataclass
class RelatedEntries:
    related: list[Entry] = field(default_factory=list)  # read next, or sharing symptoms
    in_category: list[Entry] = field(default_factory=list)  # the rest, from its category


@functools.lru_cache(maxsize=1024)
def _symptom_terms(symptoms: str) -> frozenset[str]:
    return terms.terms(symptoms)


def related_entries(entry: Entry, limit: int = RELATED_LIMIT) -> RelatedEntries:
    """At most `limit` published entries other than `entry`, the most related first."""
    others = {
        other.pk: other
        for other in Entry.objects.published()
        .exclude(pk=entry.pk)
        .only("pk", "slug", "question", "symptoms", "order", "category")
    }
    chosen = _read_next(entry, others, limit)
    for other in _sharing_symptoms(entry, others.values()):
        if len(chosen) < limit and other not in chosen:
            chosen.append(other)
    rest = [
        other
        for other in others.values()
        if other.category_id == entry.category_id and other not in chosen
    ]
    rest.sort(key=lambda other: (other.order, other.question))
    return RelatedEntries(related=chosen, in_category=rest[: limit - len(chosen)])


def _read_next(entry: Entry, others: dict[int, Entry], limit: int) -> list[Entry]:
    rows = (
        ReadNext.objects.filter(from_entry=entry, day__lt=timezone.localdate())
        .values("to_entry")
        .annotate(readers=Sum("count"))
        .filter(readers__gte=MIN_READ_NEXT)
        .order_by("-readers", "to_entry")
    )
    found = [others[row["to_entry"]] for row in rows[: limit * 2] if row["to_entry"] in others]
    return found[:limit]


def _sharing_symptoms(entry: Entry, others) -> list[Entry]:
    others = list(others)
    mine = _symptom_terms(entry.symptoms)
    theirs = {other.pk: _symptom_terms(other.symptoms) for other in others}
    weights = terms.rarity([mine, *theirs.values()])
    scored = [(terms.overlap(mine, theirs[other.pk], weights), other) for other in others]
    scored = [(score, other) for score, other in scored if score >= MIN_SYMPTOM_OVERLAP]
    scored.sort(key=lambda pair: (-pair[0], pair[1].question))
    return [other for _, other in scored]
