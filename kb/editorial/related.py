"""Related entries for an entry page: what readers open next, what shares its symptoms, and
the rest of its category to fill the list.

Counted reads stop at yesterday, so that part changes once a day at most, the same day the
page's validator changes (kb/content/caching.py); each process works it out once a day per
entry. Everything else comes from the published content, read in one or two queries per page
and never more than a few hundred entries however large the FAQ (`_candidates`).
"""

import functools
import threading
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from kb.content.models import Entry
from kb.editorial.models import ReadNext
from kb.insights import terms

RELATED_LIMIT = 5
# A page reads at most about this many entries to choose its related ones (see _candidates).
CANDIDATES = 300
CATEGORY_CANDIDATES = 50
SYMPTOM_WORDS = 6
# One reader's path is an anecdote; from this many on, it is what readers do.
MIN_READ_NEXT = 2
# Entries share symptoms when the rarer words of one's symptoms are this much in the other's.
MIN_SYMPTOM_OVERLAP = 0.25


@dataclass(frozen=True)
class Link:
    """A published entry as the sidebar lists it."""

    pk: int
    slug: str
    question: str
    symptoms: str
    category_id: int
    order: int

    @property
    def url(self) -> str:
        return reverse("entry_detail", args=[self.slug])


@dataclass
class RelatedEntries:
    related: list[Link] = field(default_factory=list)  # read next, or sharing symptoms
    in_category: list[Link] = field(default_factory=list)  # the rest, from its category


@functools.lru_cache(maxsize=1024)
def _symptom_terms(symptoms: str) -> frozenset[str]:
    return terms.terms(symptoms)


def related_entries(entry: Entry, limit: int = RELATED_LIMIT) -> RelatedEntries:
    """At most `limit` published entries other than `entry`, the most related first."""
    others = {link.pk: link for link in _candidates(entry)}
    chosen = [others[pk] for pk in _read_next(entry.pk) if pk in others][:limit]
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


def _candidates(entry: Entry) -> list[Link]:
    """The entries the sidebar may list. On a FAQ of up to CANDIDATES published entries, all
    of them; on a larger one, only those that can make the list, so a page never reads the
    whole FAQ: what readers open next, the first of its category, and those whose symptoms
    mention one of this entry's symptom words (the overlap is then weighed among them)."""
    published = Entry.objects.published().exclude(pk=entry.pk).order_by()
    fields = ("pk", "slug", "question", "symptoms", "category_id", "order")
    everything = list(published.values_list(*fields)[: CANDIDATES + 1])
    if len(everything) <= CANDIDATES:
        return [Link(*row) for row in everything]
    wanted = models.Q(pk__in=_read_next(entry.pk))
    first_in_category = published.filter(category=entry.category_id).order_by("order", "question")
    wanted |= models.Q(pk__in=first_in_category.values("pk")[:CATEGORY_CANDIDATES])
    words = sorted(_symptom_terms(entry.symptoms), key=len, reverse=True)[:SYMPTOM_WORDS]
    if words:
        sharing = models.Q()
        for word in words:
            sharing |= models.Q(symptoms__icontains=word)
        wanted |= models.Q(pk__in=published.filter(sharing).values("pk")[:CANDIDATES])
    return [Link(*row) for row in published.filter(wanted).values_list(*fields)]


# {entry pk: the entries read after it, most readers first}, for the day in `_read_next_day`.
_read_next_cache: dict[int, list[int]] = {}
_read_next_day: list[date] = []
_read_next_lock = threading.Lock()
READ_NEXT_KEPT = 20


def _read_next(entry_pk: int) -> list[int]:
    """The entries read after this one by at least MIN_READ_NEXT readers before today."""
    today = timezone.localdate()
    with _read_next_lock:
        if _read_next_day != [today]:
            _read_next_cache.clear()
            _read_next_day[:] = [today]
        if entry_pk in _read_next_cache:
            return _read_next_cache[entry_pk]
    rows = (
        ReadNext.objects.filter(from_entry=entry_pk, day__lt=today)
        .values("to_entry")
        .annotate(readers=Sum("count"))
        .filter(readers__gte=MIN_READ_NEXT)
        .order_by("-readers", "to_entry")
    )
    found = [row["to_entry"] for row in rows[:READ_NEXT_KEPT]]
    with _read_next_lock:
        _read_next_cache[entry_pk] = found
    return found


def forget_read_next() -> None:
    """Drop what this process worked out (for tests that write yesterday's counts)."""
    with _read_next_lock:
        _read_next_cache.clear()


def _sharing_symptoms(entry: Entry, others) -> list[Link]:
    others = list(others)
    mine = _symptom_terms(entry.symptoms)
    theirs = {other.pk: _symptom_terms(other.symptoms) for other in others}
    weights = terms.rarity([mine, *theirs.values()])
    scored = [(terms.overlap(mine, theirs[other.pk], weights), other) for other in others]
    scored = [(score, other) for score, other in scored if score >= MIN_SYMPTOM_OVERLAP]
    scored.sort(key=lambda pair: (-pair[0], pair[1].question))
    return [other for _, other in scored]
