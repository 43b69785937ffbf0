"""What readers tell support engineers: "Was this helpful?" votes (Feedback), and how often
each entry is read and what is read next (ReadingDay, ReadNext). None of it says who a reader is.
"""

from django.conf import settings
from django.db import models

from kb.content.locking import VersionedModel
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


# --- Draft revisions: a change prepared beside the published answer ---------------------------


class EntryRevisionQuerySet(models.QuerySet):
    def waiting_for_review(self):
        """The reviewers' queue: revisions whose authors asked for review, the oldest first."""
        return self.filter(state=EntryRevision.State.WAITING).order_by("asked_at", "pk")

    def by_author(self, user):
        return self.filter(author=user)


class EntryRevision(VersionedModel):
    """The change an engineer proposes to a published entry, kept beside it: the published
    version stays live everywhere (page, search, error pages, twins, llms.txt, feed) until the
    revision is published, which saves it into the entry as any edit (history, search index
    and page cache follow). One pending revision per entry: saving another replaces it, under
    the same optimistic lock as the entry (the form carries the revision's version)."""

    # The entry's fields a revision holds: everything the form edits but its status.
    FIELDS = ["question", "slug", "category", "order", "answer", "symptoms"]
    NOTE_MAX_LENGTH = 1000

    class State(models.TextChoices):
        # Review before publishing (kb/editorial/approval.py): a revision is prepared, asked
        # for review, then approved (published: the revision is applied and deleted, the
        # entry's history names both) or sent back with a comment, to be edited and asked again.
        DRAFT = "draft", "Draft"
        WAITING = "waiting", "Waiting for review"
        SENT_BACK = "sent_back", "Sent back"

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="pending_revision")
    question = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120)
    category = models.ForeignKey(
        "kb.Category", on_delete=models.CASCADE, related_name="pending_revisions"
    )
    order = models.PositiveIntegerField(default=0)
    answer = models.TextField()
    symptoms = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The entry's version the revision was drafted from: publishing it over a newer one is
    # refused, so it never silently undoes a change saved since.
    based_on_version = models.PositiveIntegerField()
    updated = models.DateTimeField(auto_now=True)

    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(null=True)
    ask_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True)
    review_comment = models.TextField(blank=True)

    objects = EntryRevisionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["state", "asked_at"], name="revision_review_queue")]

    def __str__(self) -> str:
        return f"Draft revision of “{self.entry}”"

    @property
    def is_waiting(self) -> bool:
        return self.state == self.State.WAITING

    @property
    def is_sent_back(self) -> bool:
        return self.state == self.State.SENT_BACK

    def ask_for_review(self, user, note: str, now) -> None:
        """Into the reviewers' queue (saved by the caller, under the revision's lock)."""
        self.state = self.State.WAITING
        self.asked_by = user
        self.asked_at = now
        self.ask_note = note

    def send_back(self, user, comment: str, now) -> None:
        """Back to its author with the reviewer's comment; saved under the revision's lock, so a
        revision changed since the reviewer opened it raises StaleEdit and is not sent back."""
        self.state = self.State.SENT_BACK
        self.reviewed_by = user
        self.reviewed_at = now
        self.review_comment = comment
        self.save()

    @classmethod
    def values_of(cls, entry: Entry) -> dict:
        return {name: getattr(entry, name) for name in cls.FIELDS}

    def apply_to(self, entry: Entry) -> Entry:
        for name in self.FIELDS:
            setattr(entry, name, getattr(self, name))
        return entry
