"""Gaps: what developers searched for and did not find, grouped into problems, and turned into
draft entries.

A query is a gap when most of its searches in the period were fruitless (nothing found, or
nothing opened). Gap queries are grouped when they are the same words once normalised, or
share enough rare words: each word counts by how rare it is among everything searched in the
period (kb/insights/terms.py), and two queries join when the words they share weigh more than
`JOIN_OVERLAP` of the lighter one. So "webhook retries" and "webhooks retrying" join, and so do
"zapier connector timeout" and "zapier connectors timing out", while "sandbox webhook" and
"webhook retries" (one shared word of two, and the commoner one) do not. No external
service: it is plain Python over the stored, already normalised (and redacted) queries.

Each record is one search from one search box (keystrokes of a live search are merged), and
the log keeps nothing about who searched, so a group's searches stand for the developers who
hit it. A group is *drafted* once an engineer made a draft from it, and *resolved* when its
latest search found something that was opened.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.text import slugify

from kb.content.models import Category, Entry, Synonym
from kb.insights import terms
from kb.insights.models import FRUITLESS, HandledGap, SearchRecord
from kb.insights.search_log import normalize_query

JOIN_OVERLAP = 0.5
# A word in more gap queries than this is not rare, whatever its weight: it links nothing.
MAX_POSTINGS = 200
CLUSTERS_SHOWN = 50
MAX_DRAFT_SYMPTOMS = 25


@dataclass
class GapQuery:
    query: str
    searches: int
    fruitless: int
    last_fruitless: datetime
    last_success: datetime | None


@dataclass
class Cluster:
    queries: list[GapQuery]
    handled: HandledGap | None = None
    answered_by: Entry | None = None
    status: str = "open"  # "open", "drafted" or "resolved"
    # Where its searches point: the category of the entries search put first for them.
    category: Category | None = None

    @property
    def fruitless(self) -> int:
        return sum(q.fruitless for q in self.queries)

    @property
    def label(self) -> str:
        return self.queries[0].query

    @property
    def last_fruitless(self) -> datetime:
        return max(q.last_fruitless for q in self.queries)

    @property
    def last_success(self) -> datetime | None:
        return max((q.last_success for q in self.queries if q.last_success), default=None)

    @property
    def query_texts(self) -> list[str]:
        return [q.query for q in self.queries]


@dataclass
class _UnionFind:
    parent: list[int] = field(default_factory=list)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def clusters(days: int, now: datetime | None = None, limit: int = CLUSTERS_SHOWN) -> list[Cluster]:
    """The period's gaps, grouped: open ones first (most fruitless searches first), then the
    drafted, then the resolved."""
    now = now or timezone.now()
    rows = (
        SearchRecord.objects.since(now - timedelta(days=days))
        .values("query")
        .annotate(
            searches=Count("pk"),
            fruitless=Count("pk", filter=FRUITLESS),
            last_fruitless=Max("created", filter=FRUITLESS),
            last_success=Max("created", filter=~FRUITLESS),
        )
        .order_by()
    )
    rows = list(rows)
    synonyms = terms.synonym_map(Synonym.objects.groups())
    weights = terms.rarity(terms.terms(row["query"], synonyms) for row in rows)
    gaps = [
        GapQuery(
            row["query"],
            row["searches"],
            row["fruitless"],
            row["last_fruitless"],
            row["last_success"],
        )
        for row in rows
        if row["fruitless"] and row["fruitless"] * 2 >= row["searches"]
    ]
    groups = group(gaps, weights, synonyms)
    _mark_handled_and_resolved(groups)
    _point_to_categories(groups, now - timedelta(days=days))
    order = {"open": 0, "drafted": 1, "resolved": 2}
    groups.sort(key=lambda c: (order[c.status], -c.fruitless, -c.last_fruitless.timestamp()))
    return groups[:limit]


def group(
    gaps: list[GapQuery], weights: dict[str, float], synonyms: dict[str, str] | None = None
) -> list[Cluster]:
    """Group gap queries that name the same problem (see the module's doc); words engineers
    listed as synonyms count as one."""
    term_sets = [terms.terms(gap.query, synonyms) for gap in gaps]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, found in enumerate(term_sets):
        for term in found:
            postings[term].append(i)
    links = _UnionFind(list(range(len(gaps))))
    by_text: dict[frozenset | str, int] = {}
    for i, found in enumerate(term_sets):
        # Queries of stopwords only ("how do i") group by their text.
        key = found or gaps[i].query
        if key in by_text:
            links.union(i, by_text[key])
        by_text.setdefault(key, i)
    for members in postings.values():
        if len(members) > MAX_POSTINGS:
            continue
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                if links.find(i) != links.find(j) and (
                    terms.overlap(term_sets[i], term_sets[j], weights) > JOIN_OVERLAP
                ):
                    links.union(i, j)
    grouped: dict[int, list[GapQuery]] = defaultdict(list)
    for i, gap in enumerate(gaps):
        grouped[links.find(i)].append(gap)
    result = []
    for members in grouped.values():
        members.sort(key=lambda g: (-g.fruitless, g.query))
        result.append(Cluster(queries=members))
    return result


def _mark_handled_and_resolved(groups: list[Cluster]) -> None:
    all_queries = [q for cluster in groups for q in cluster.query_texts]
    handled = {
        gap.query: gap
        # A draft deleted since leaves its searches unanswered again.
        for gap in HandledGap.objects.filter(
            query__in=all_queries, entry__isnull=False
        ).select_related("entry")
    }
    for cluster in groups:
        marks = [handled[q] for q in cluster.query_texts if q in handled]
        if marks:
            cluster.handled = max(marks, key=lambda mark: mark.handled_at)
            cluster.status = "drafted"
        if cluster.last_success and cluster.last_success > cluster.last_fruitless:
            cluster.status = "resolved"
            latest = (
                SearchRecord.objects.successful()
                .filter(query__in=cluster.query_texts, opened_entry__isnull=False)
                .select_related("opened_entry")
                .order_by("-created")
                .first()
            )
            cluster.answered_by = latest.opened_entry if latest else None


def _point_to_categories(groups: list[Cluster], since: datetime) -> None:
    """Each group's category: the commonest among the entries search put first for its
    searches, which a draft made from the group starts in."""
    queries = {q: cluster for cluster in groups for q in cluster.query_texts}
    rows = (
        SearchRecord.objects.since(since)
        .filter(query__in=list(queries), first_entry__isnull=False)
        .values("query", "first_entry__category")
        .annotate(searches=Count("pk"))
    )
    votes: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        cluster = queries[row["query"]]
        votes[id(cluster)][row["first_entry__category"]] += row["searches"]
    chosen = {key: max(counts, key=counts.get) for key, counts in votes.items()}
    categories = Category.objects.in_bulk(set(chosen.values()))
    for cluster in groups:
        cluster.category = categories.get(chosen.get(id(cluster)))


def create_draft(queries: list[str], category: Category, user) -> Entry:
    """A draft entry for a group of queries, with them as its symptoms; the queries are marked
    handled. The engineer writes the question and answer and publishes it."""
    symptoms = list(dict.fromkeys(q for q in map(normalize_query, queries) if q))
    symptoms = symptoms[:MAX_DRAFT_SYMPTOMS]
    if not symptoms:
        raise ValueError("a draft needs at least one query")
    top = symptoms[0]
    with transaction.atomic():
        entry = Entry(
            category=category,
            question=(top[:1].upper() + top[1:])[: Entry._meta.get_field("question").max_length],
            slug=_free_slug(top),
            answer="",
            symptoms="\n".join(symptoms),
            status=Entry.Status.DRAFT,
            owner=user if user.is_staff else None,
        )
        entry._change_reason = f"Drafted from {len(symptoms)} unanswered searches"
        entry._history_user = user
        entry.save()
        for query in symptoms:
            HandledGap.objects.update_or_create(
                query=query,
                defaults={"entry": entry, "handled_by": user, "handled_at": timezone.now()},
            )
    return entry


def _free_slug(text: str) -> str:
    # Hyphens only, as faq_content/ file names need: slugify keeps underscores (invalid_grant).
    base = slugify(text.replace("_", " "))[:100].strip("-") or "draft"
    slug, n = base, 1
    while Entry.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
