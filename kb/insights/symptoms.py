"""Symptoms proposed for an existing entry, from what developers searched before opening it.

Two kinds of search say that an entry is missing a symptom:

- a search from which developers opened the entry although another one was ranked above it
  (the entry answered, search did not know it would);
- a search that found nothing to open, made by the same browser just before the search that
  led to the entry (what the developer typed first is how they name the problem).

An engineer accepts a proposal (it is added to the entry's symptoms, saved with a revision and
indexed at once) or dismisses it; either way it is not proposed for that entry again.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from kb.content.models import Entry
from kb.insights.models import SearchRecord, SymptomDecision
from kb.insights.search_log import normalize_query

PROPOSALS_SHOWN = 10
RANKED_BELOW = "opened although another entry was ranked above it"
AFTER_FRUITLESS = "searched first, before the search that led here"


@dataclass
class Proposal:
    query: str
    searches: int
    last_searched: datetime
    reasons: list[str]


def proposals(entry: Entry, limit: int = PROPOSALS_SHOWN) -> list[Proposal]:
    """The open proposals for `entry`, the most searched first."""
    opened_here = SearchRecord.objects.filter(opened_entry=entry)
    found: dict[str, Proposal] = {}
    sources = [
        (opened_here.filter(opened_rank__gt=1), "query", RANKED_BELOW),
        (opened_here.filter(follows__isnull=False), "follows__query", AFTER_FRUITLESS),
    ]
    for records, field, reason in sources:
        rows = records.values(field).annotate(n=Count("pk"), last=Max("created")).order_by()
        for row in rows:
            query = row[field]
            proposal = found.setdefault(query, Proposal(query, 0, row["last"], []))
            proposal.searches += row["n"]
            proposal.last_searched = max(proposal.last_searched, row["last"])
            proposal.reasons.append(reason)
    known = {normalize_query(symptom) for symptom in entry.symptom_list}
    known |= set(entry.symptom_decisions.values_list("query", flat=True))
    open_proposals = [p for p in found.values() if p.query and p.query not in known]
    open_proposals.sort(key=lambda p: (-p.searches, -p.last_searched.timestamp(), p.query))
    return open_proposals[:limit]


def is_proposed(entry: Entry, query: str) -> bool:
    return any(p.query == query for p in proposals(entry, limit=None))


def accept(entry: Entry, query: str, user) -> Entry:
    """Add `query` to the entry's symptoms: a revision in its history, and search finds the
    entry by it as soon as the transaction commits."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if query not in {normalize_query(symptom) for symptom in entry.symptom_list}:
            entry.symptoms = "\n".join([*entry.symptom_list, query])
            entry._change_reason = f"Accepted the proposed symptom “{query}”"
            entry._history_user = user
            entry.save()
        _decide(entry, query, user, accepted=True)
    return entry


def dismiss(entry: Entry, query: str, user) -> None:
    _decide(entry, query, user, accepted=False)


def _decide(entry: Entry, query: str, user, accepted: bool) -> None:
    SymptomDecision.objects.update_or_create(
        entry=entry,
        query=query,
        defaults={"accepted": accepted, "decided_by": user, "decided_at": timezone.now()},
    )
