from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kb.markdown import markdown_to_text, render_markdown
from kb.tools.error_lookup import message_matches, nearest_codes


class CategoryQuerySet(models.QuerySet):
    def with_published_entries(self):
        """Categories that have something public to show, their published entries prefetched."""
        entries = Entry.objects.published().order_by("order", "question")
        return (
            self.filter(entries__in=entries)
            .distinct()
            .prefetch_related(models.Prefetch("entries", queryset=entries))
        )


class Category(models.Model):
    name = models.CharField(max_length=100, help_text="Shown as the section heading.")
    slug = models.SlugField(
        max_length=100, unique=True, help_text="Part of the category's address: /c/<slug>/."
    )
    description = models.TextField(
        blank=True, help_text="One sentence telling developers what they will find here."
    )
    order = models.PositiveIntegerField(default=0, help_text="Lower numbers are listed first.")

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("category_detail", args=[self.slug])


class EntryQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Entry.Status.PUBLISHED)

    def in_category(self, category: Category):
        return self.filter(category=category)

    def visible_to(self, user):
        """Staff see drafts too; everybody else only what is published."""
        if user.is_active and user.is_staff:
            return self.all()
        return self.published()

    def with_feedback_counts(self):
        """Annotate helpful_votes, unhelpful_votes and unhelpful_percent (None without votes).

        Counted in subqueries so that other annotations on the same queryset cannot multiply
        the counts through a join.
        """

        def votes(helpful: bool):
            count = (
                Feedback.objects.filter(entry=models.OuterRef("pk"), helpful=helpful)
                .order_by()
                .values("entry")
                .annotate(n=models.Count("pk"))
                .values("n")
            )
            return Coalesce(models.Subquery(count, output_field=models.IntegerField()), 0)

        return self.annotate(helpful_votes=votes(True), unhelpful_votes=votes(False)).annotate(
            unhelpful_percent=models.F("unhelpful_votes")
            * 100
            / NullIf(models.F("helpful_votes") + models.F("unhelpful_votes"), 0)
        )

    def rerender_answers(self) -> int:
        """Render every answer again, for when the Markdown renderer changed; returns how many
        changed. A bulk update: `updated`, the history and the search index are not touched,
        because what the author wrote has not changed."""
        changed = []
        for entry in self.only("pk", "answer", "answer_html"):
            html = render_markdown(entry.answer)
            if html != entry.answer_html:
                entry.answer_html = html
                changed.append(entry)
        self.model.objects.bulk_update(changed, ["answer_html"], batch_size=200)
        return len(changed)


class Entry(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="entries")
    question = models.CharField(
        max_length=300, help_text="The question as a developer would ask it."
    )
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="The permalink: /faq/<slug>/. Changing it breaks links people have saved.",
    )
    answer = models.TextField(
        help_text="Markdown: **bold**, `code`, [links](https://…), lists, tables. "
        "Scripts and unsafe HTML are removed when the page is shown."
    )
    answer_html = models.TextField(editable=False, default="")
    symptoms = models.TextField(
        blank=True,
        help_text="One per line: the error messages, status codes, header names and phrases "
        "a developer would paste or type when this answer is what they need. Search uses them.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Only published entries are shown to the public and found by search.",
    )
    order = models.PositiveIntegerField(
        default=0, help_text="Position within the category; lower numbers come first."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["answer_html", "updated"])
    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["category__order", "order", "question"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs):
        # Browsers submit CRLF; keep LF so exported files and comparisons stay stable.
        self.answer = self.answer.replace("\r\n", "\n").strip()
        self.symptoms = "\n".join(self.symptom_list)
        self.answer_html = render_markdown(self.answer)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "answer" in update_fields:
            kwargs["update_fields"] = {*update_fields, "answer_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("entry_detail", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def symptom_list(self) -> list[str]:
        return [line.strip() for line in self.symptoms.splitlines() if line.strip()]

    @property
    def answer_text(self) -> str:
        return markdown_to_text(self.answer)

    def summary(self, length: int = 155) -> str:
        text = " ".join(self.answer_text.split())
        if len(text) <= length:
            return text
        return text[: length - 1].rsplit(" ", 1)[0] + "…"


class SynonymQuerySet(models.QuerySet):
    def groups(self) -> list[list[str]]:
        return [synonym.phrases for synonym in self]


class Synonym(models.Model):
    """Words and phrases that mean the same to a developer, so a search for one finds the others.

    Maintained by support engineers; applied when a search runs, so no re-indexing is needed.
    """

    terms = models.CharField(
        max_length=500,
        unique=True,
        help_text="Comma-separated words or phrases that mean the same thing to a developer, "
        "e.g. “429, rate limit, too many requests, throttled”. A search for any of them also "
        "finds entries that use the others.",
    )
    note = models.CharField(
        max_length=200, blank=True, help_text="Why these belong together (optional)."
    )

    objects = SynonymQuerySet.as_manager()

    class Meta:
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    @property
    def phrases(self) -> list[str]:
        return [phrase.strip() for phrase in self.terms.split(",") if phrase.strip()]


# --- Workflow: "Was this helpful?" votes and search insights -------------------------------


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


# --- Error codes and known error messages, for the error-code lookup tool (/tools/error-codes/).
# Seeded from faq_content/error_codes.yaml by load_faq; support engineers edit them in the admin.


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ErrorCodeQuerySet(models.QuerySet):
    def with_published_entries(self):
        return self.prefetch_related(models.Prefetch("entries", queryset=Entry.objects.published()))

    def nearest(self, code: int, count: int = 3) -> list["ErrorCode"]:
        """The codes closest to one that is not here, for "did you mean"."""
        codes = nearest_codes(code, self.values_list("code", flat=True), count)
        by_code = {c.code: c for c in self.filter(code__in=codes)}
        return [by_code[c] for c in codes]


class ErrorCode(models.Model):
    class Retry(models.TextChoices):
        SAFE = "safe", "Safe to retry, with backoff"
        AFTER_WAIT = "after-wait", "Retry only after waiting"
        FIX_FIRST = "fix-first", "Not unchanged: fix the cause first"

    code = models.PositiveSmallIntegerField(
        unique=True,
        validators=[MinValueValidator(100), MaxValueValidator(599)],
        help_text="The HTTP status code, like 429.",
    )
    name = models.CharField(max_length=100, help_text="Its name, like Too Many Requests.")
    meaning = models.TextField(
        help_text="What it means for the developer who got it, in a sentence or two."
    )
    causes = models.TextField(help_text="One per line: the common causes.")
    fixes = models.TextField(help_text="One per line: what to do about it.")
    retry = models.CharField(
        max_length=12,
        choices=Retry,
        help_text="Whether sending the same request again is safe.",
    )
    retry_guidance = models.TextField(
        help_text="When and how to retry, or why not to, in a sentence or two."
    )
    entries = models.ManyToManyField(
        Entry,
        blank=True,
        related_name="error_codes",
        help_text="FAQ entries to read about this code. Only published ones are shown.",
    )
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated"])
    objects = ErrorCodeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        # One item per line, as the files and the lookup page list them.
        self.causes = "\n".join(_lines(self.causes))
        self.fixes = "\n".join(_lines(self.fixes))
        self.meaning = self.meaning.replace("\r\n", "\n").strip()
        self.retry_guidance = self.retry_guidance.replace("\r\n", "\n").strip()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{reverse('error_code_lookup')}?q={self.code}"

    @property
    def cause_list(self) -> list[str]:
        return _lines(self.causes)

    @property
    def fix_list(self) -> list[str]:
        return _lines(self.fixes)


class KnownErrorMessageQuerySet(models.QuerySet):
    def found_in(self, text: str) -> list["KnownErrorMessage"]:
        """The known messages a pasted text contains, or that it is a long enough part of."""
        candidates = self.select_related("error_code").prefetch_related(
            models.Prefetch("entries", queryset=Entry.objects.published())
        )
        # A few dozen rows at most: matching in Python keeps quotes and "!" out of the way.
        return [message for message in candidates if message_matches(message.text, text)]


class KnownErrorMessage(models.Model):
    text = models.CharField(
        max_length=300,
        unique=True,
        help_text="The message as the API sends it, like “App is not connected to this "
        "company”. Case, quotes and punctuation do not matter when it is matched.",
    )
    error_code = models.ForeignKey(
        ErrorCode,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        help_text="The status code that comes with it. Leave empty when the docs do not say.",
    )
    entries = models.ManyToManyField(
        Entry,
        blank=True,
        related_name="known_error_messages",
        help_text="FAQ entries that explain this message.",
    )

    objects = KnownErrorMessageQuerySet.as_manager()

    class Meta:
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text
