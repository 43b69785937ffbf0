"""The search log (SearchRecord), and what engineers decided about it: searches turned into
drafts (HandledGap), proposed symptoms accepted or dismissed (SymptomDecision). None of it says
who searched.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from kb.content.models import Entry

# A search is fruitless when it found nothing, or nothing it found was opened.
# Found nothing, nothing found was opened, or search said it had no answer (its results were
# only loosely related).
FRUITLESS = models.Q(results=0) | models.Q(opened=False) | models.Q(answered=False)


class SearchRecordQuerySet(models.QuerySet):
    def since(self, start):
        return self.filter(created__gte=start)

    def by_query(self):
        """One row per normalized query: how often it was searched and how often it led on."""
        return (
            self.values("query")
            .annotate(
                searches=models.Count("id"),
                opened_count=models.Count("id", filter=models.Q(opened=True)),
                results=models.Max("results"),
                last_searched=models.Max("created"),
            )
            .order_by("-searches", "query")
        )

    def top_queries(self):
        return self.by_query()

    def without_results(self):
        """Queries search had no answer for: nothing found, or nothing it believed answered."""
        return self.filter(models.Q(results=0) | models.Q(answered=False)).by_query()

    def never_opened(self):
        """Queries that found an answer, yet no search for them was followed by an open."""
        answered = self.filter(results__gt=0).exclude(answered=False)
        return answered.by_query().filter(opened_count=0)

    def fruitless(self):
        """Searches that found nothing, or whose results nobody opened."""
        return self.filter(FRUITLESS)

    def successful(self):
        """Searches that found something and led a developer to open it."""
        return self.exclude(FRUITLESS)


class SearchRecord(models.Model):
    """One public search, reduced to what tells engineers what content is missing.

    Nothing about the searcher is kept: no user, no address, no session. Records older
    than KB_SEARCH_LOG_RETENTION_DAYS are deleted by `manage.py prune_search_log`.
    """

    QUERY_MAX_LENGTH = 200

    query = models.CharField(max_length=QUERY_MAX_LENGTH, db_index=True)
    results = models.PositiveIntegerField()
    # Whether search believed its first result answered the query (kb.search.answered); None
    # for searches logged before it said.
    answered = models.BooleanField(null=True, blank=True)
    opened = models.BooleanField(default=False)
    # The entry search put first, answer or not: where the query points (the category a draft
    # for an unanswered one starts in).
    first_entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)
    # The first result opened from this search, and its place in the list: an entry opened
    # from below another one is missing a symptom (see kb/insights/symptoms.py).
    opened_entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="opening_searches"
    )
    opened_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    # The search the same browser made just before, when it found nothing to open: what that
    # developer typed first is a symptom of the entry this search leads to.
    follows = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SearchRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = "search insight"
        verbose_name_plural = "search insights"

    def __str__(self) -> str:
        return self.query


class HandledGap(models.Model):
    """A fruitless query that an engineer turned into a draft entry."""

    query = models.CharField(max_length=SearchRecord.QUERY_MAX_LENGTH, unique=True)
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="gap_queries"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    handled_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.query


class SymptomDecision(models.Model):
    """An engineer's answer to a proposed symptom: accepted into the entry, or dismissed, so
    the same query is not proposed for that entry again."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="symptom_decisions")
    query = models.CharField(max_length=SearchRecord.QUERY_MAX_LENGTH)
    accepted = models.BooleanField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "query"], name="one_decision_per_symptom")
        ]

    def __str__(self) -> str:
        return f"{'Accepted' if self.accepted else 'Dismissed'}: {self.query}"
