"""What the public tells support engineers: "Was this helpful?" votes and the search log."""

from django.db import models
from django.utils import timezone

from kb.content.models import Entry


class FeedbackQuerySet(models.QuerySet):
    def with_reason(self):
        return self.filter(helpful=False).exclude(reason="")

    def record_vote(self, entry: Entry, visitor_key: str, helpful: bool, reason: str = ""):
        """The visitor's latest vote replaces an earlier one; a reason is kept only with a no."""
        vote, _ = self.update_or_create(
            entry=entry,
            visitor_key=visitor_key,
            defaults={"helpful": helpful, "reason": "" if helpful else reason},
        )
        return vote


class Feedback(models.Model):
    """One visitor's answer to "Was this helpful?" on one entry.

    The visitor is known only by `visitor_key`, a keyed hash of a random cookie, so nothing
    here identifies a person and no IP address is kept. A second vote from the same visitor
    replaces the first: the constraint below makes counting it twice impossible.
    """

    REASON_MAX_LENGTH = 500

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    visitor_key = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-updated"]
        verbose_name = "feedback vote"
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "visitor_key"], name="one_feedback_vote_per_visitor"
            )
        ]

    def __str__(self) -> str:
        return f"{'Helpful' if self.helpful else 'Not helpful'}: {self.entry}"


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
        return self.filter(results=0).by_query()

    def never_opened(self):
        """Queries that found something, yet no search for them was followed by an open."""
        return self.filter(results__gt=0).by_query().filter(opened_count=0)


class SearchRecord(models.Model):
    """One public search, reduced to what tells engineers what content is missing.

    Nothing about the searcher is kept: no user, no address, no session. Records older
    than KB_SEARCH_LOG_RETENTION_DAYS are deleted by `manage.py prune_search_log`.
    """

    QUERY_MAX_LENGTH = 200

    query = models.CharField(max_length=QUERY_MAX_LENGTH, db_index=True)
    results = models.PositiveIntegerField()
    opened = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    objects = SearchRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = "search insight"
        verbose_name_plural = "search insights"

    def __str__(self) -> str:
        return self.query
