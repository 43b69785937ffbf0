"""What the public tells support engineers, and what engineers decided about it.

Readers: "Was this helpful?" votes (Feedback), the search log (SearchRecord), how often each
entry is read and what is read next (ReadingDay, ReadNext), requests for support
(Escalation). Engineers: searches turned into drafts (HandledGap), proposed symptoms accepted
or dismissed (SymptomDecision). None of it says who a reader is.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import TruncDate
from django.utils import timezone

from kb.content.models import Entry


class FeedbackQuerySet(models.QuerySet):
    def with_reason(self):
        return self.filter(helpful=False).exclude(reason="")

    def record_vote(self, entry: Entry, visitor_key: str, helpful: bool, reason: str = ""):
        """The visitor's latest vote replaces an earlier one; a reason is kept only with a no.

        A "no" with a reason asks for an early review of the entry: a reader took the time to
        say what is wrong or missing."""
        vote, _ = self.update_or_create(
            entry=entry,
            visitor_key=visitor_key,
            defaults={"helpful": helpful, "reason": "" if helpful else reason},
        )
        if not helpful and reason:
            Entry.objects.filter(pk=entry.pk).flag_for_review(
                f"A reader said it did not help: “{reason}”"
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


# A search is fruitless when it found nothing, or nothing it found was opened.
FRUITLESS = models.Q(results=0) | models.Q(opened=False)


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

    def fruitless(self):
        """Searches that found nothing, or whose results nobody opened."""
        return self.filter(FRUITLESS)

    def successful(self):
        """Searches that found something and led a developer to open it."""
        return self.filter(results__gt=0, opened=True)


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
    # The first result opened from this search, and its place in the list: an entry opened
    # from below another one is missing a symptom (see kb/editorial/symptoms.py).
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


# --- Reading: how often each entry is read, and what is read next --------------------------


class ReadingDayQuerySet(models.QuerySet):
    def between(self, start, end):
        return self.filter(day__gte=start, day__lte=end)

    def per_entry(self) -> dict[int, dict]:
        rows = self.values("entry").annotate(
            views=models.Sum("views"), sessions=models.Sum("sessions")
        )
        return {row["entry"]: row for row in rows}

    def sessions_by_day(self) -> dict:
        rows = self.values("day").annotate(n=models.Sum("sessions")).order_by()
        return {row["day"]: row["n"] for row in rows}


class ReadingDay(models.Model):
    """How often readers opened one entry on one day (staff and crawlers are not counted).

    `sessions` counts the reading sessions that began with this entry: a browser that had
    read no entry in the last half hour (kb/editorial/reading.py). Their sum is the number of
    sessions that read answers, the numerator of the self-service score.
    """

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="reading_days")
    day = models.DateField(db_index=True)
    views = models.PositiveIntegerField(default=0)
    sessions = models.PositiveIntegerField(default=0)

    objects = ReadingDayQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "day"], name="one_reading_day_per_entry")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} on {self.day}: {self.views} views"


class ReadNext(models.Model):
    """How often readers of one entry went on to read another within the same session."""

    from_entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="read_next")
    to_entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="read_before")
    day = models.DateField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_entry", "to_entry", "day"], name="one_read_next_per_pair_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_entry_id} then {self.to_entry_id} on {self.day}"


# --- Escalations: readers who still needed support -------------------------------------------


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


# --- What engineers decided about the search log ---------------------------------------------


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
