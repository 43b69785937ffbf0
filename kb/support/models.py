"""Readers who still needed API support (Escalation), with what they had tried."""

from django.db import models
from django.db.models.functions import TruncDate
from django.utils import timezone

from kb.content.models import Entry
from kb.insights.models import SearchRecord


class EscalationQuerySet(models.QuerySet):
    def since(self, start):
        return self.filter(created__gte=start)

    def count_by_day(self) -> dict:
        rows = (
            self.annotate(day=TruncDate("created"))
            .values("day")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        return {row["day"]: row["n"] for row in rows}


class Escalation(models.Model):
    """A reader who went from the site to API support, with what they had tried.

    Only the context is kept: the entry being read, the search (a link into the search log,
    so it goes when the log's retention deletes it) and the reader's vote. The message and the
    reader's e-mail address go to the support mailbox and are never stored here.
    """

    class Channel(models.TextChoices):
        FORM = "form", "Support form"
        EMAIL = "email", "Their own e-mail program"

    class Vote(models.TextChoices):
        NONE = "", "No vote"
        HELPFUL = "helpful", "Helpful"
        UNHELPFUL = "unhelpful", "Not helpful"

    created = models.DateTimeField(default=timezone.now, db_index=True)
    channel = models.CharField(max_length=10, choices=Channel)
    entry = models.ForeignKey(
        Entry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations",
        help_text="The entry the reader had open last.",
    )
    search = models.ForeignKey(
        SearchRecord,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The reader's last search.",
    )
    vote = models.CharField(max_length=10, choices=Vote, blank=True, default=Vote.NONE)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Escalation of {self.created:%Y-%m-%d %H:%M}"
