"""The FAQ's own models: categories, entries and the synonyms search applies.

Imports only kb.content.markdown and kb.content.locking: every other concern builds on these
models.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kb.content.locking import VersionedModel
from kb.content.markdown import markdown_to_text, render_markdown
from kb.content.versions import ContentQuerySet

# One rule for slugs, in the admin and in faq_content/ alike: what load_faq accepts.
validate_slug_shape = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z",
    "Use lower-case letters, digits and single hyphens, like rate-limit-429.",
    code="invalid_slug",
)
# The largest number every supported database keeps in an integer column.
ORDER_MAX = 2_147_483_647
order_validators = [MaxValueValidator(ORDER_MAX)]

# The longest review interval an engineer may set: ten years is "never" in practice.
REVIEW_INTERVAL_MAX_DAYS = 3650


def review_interval_field(help_text: str) -> models.PositiveIntegerField:
    """How often answers are checked, in days; empty takes the next default along."""
    return models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(REVIEW_INTERVAL_MAX_DAYS)],
        help_text=help_text,
    )


class CategoryQuerySet(ContentQuerySet):
    def with_published_entries(self):
        """Categories that have something public to show: one EXISTS per category, which the
        (category, status) index answers without reading the entries."""
        published = Entry.objects.published().filter(category=models.OuterRef("pk"))
        return self.filter(models.Exists(published))

    def with_every_published_entry(self):
        """Categories that have something public to show, every published entry prefetched:
        for the documents that hold the whole FAQ (llms.txt), not for pages."""
        entries = Entry.objects.published().order_by("order", "question")
        return self.with_published_entries().prefetch_related(
            models.Prefetch("entries", queryset=entries)
        )

    def with_first_entries(self, count: int):
        """Categories that have published entries, each with `published_count` and its first
        `count` published entries in `first_entries`.

        Two queries however many entries there are: Django fetches a sliced prefetch with
        ROW_NUMBER() OVER (PARTITION BY category), so only `count` rows per category leave the
        database, never the whole FAQ.
        """
        first = (
            Entry.objects.published()
            .only("category", "question", "slug")  # a link each, not the answers
            .order_by("order", "question")[:count]
        )
        return (
            self.annotate(
                published_count=models.Count(
                    "entries", filter=models.Q(entries__status=Entry.Status.PUBLISHED)
                )
            )
            .filter(published_count__gt=0)
            # Meta.ordering does not apply to an aggregating query: ask for it.
            .order_by("order", "name")
            .prefetch_related(models.Prefetch("entries", queryset=first, to_attr="first_entries"))
        )


class Category(models.Model):
    name = models.CharField(max_length=100, help_text="Shown as the section heading.")
    slug = models.SlugField(
        max_length=100,
        unique=True,
        validators=[validate_slug_shape],
        help_text="Part of the category's address: /c/the-slug/.",
    )
    description = models.TextField(
        blank=True, help_text="One sentence telling developers what they will find here."
    )
    order = models.PositiveIntegerField(
        default=0, validators=order_validators, help_text="Lower numbers are listed first."
    )
    review_interval_days = review_interval_field(
        "How often the answers in this category must be checked, in days. "
        "Empty: the site's default. An entry can set its own."
    )
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="default_owned_categories",
        limit_choices_to={"is_staff": True},
        help_text="Keeps the answers in this category that have no owner of their own: they "
        "count as theirs in the review list and the daily e-mail. In faq_content/categories.yaml "
        "as owner: their username.",
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("category_detail", args=[self.slug])


class EntryQuerySet(ContentQuerySet):
    def published(self):
        return self.filter(status=Entry.Status.PUBLISHED)

    def published_in_bulk(self, keys, field_name: str = "pk") -> dict:
        """The published entries among these keys (pks, or slugs with field_name="slug"), by
        key: found by their keys, then their status checked. (Asked for published entries
        among ten slugs, SQLite read its status index's every published entry instead: 10 ms
        at 10,000 entries.)"""
        found = self.in_bulk(set(keys), field_name=field_name)
        return {key: entry for key, entry in found.items() if entry.is_published}

    def in_category(self, category: Category):
        return self.filter(category=category)

    def in_page_order(self):
        """The order of a category's page: the category's own order, then alphabetical."""
        return self.order_by("order", "question", "pk")

    def visible_to(self, user):
        """Staff allowed to view entries in the admin see drafts too; everybody else, staff
        without that permission included, only what is published."""
        if user.is_active and user.is_staff and user.has_perm("kb.view_entry"):
            return self.all()
        return self.published()

    def with_feedback_counts(self):
        """Annotate helpful_votes, unhelpful_votes and unhelpful_percent (None without votes).

        Counted in subqueries so that other annotations on the same queryset cannot multiply
        the counts through a join.
        """

        # The vote model belongs to kb.editorial, which imports this module: reach it through
        # the reverse relation instead of importing it.
        feedback_model = self.model._meta.get_field("feedback").related_model

        def votes(helpful: bool):
            count = (
                feedback_model.objects.filter(entry=models.OuterRef("pk"), helpful=helpful)
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

    # --- Verified answers: when each entry must be checked again -----------------------------

    def with_review_due(self):
        """Annotate `review_due`: when the entry must be checked again.

        That is the last verification (or the creation, for an entry never verified) plus the
        entry's interval, else its category's, else KB_REVIEW_INTERVAL_DAYS; or the moment it
        was flagged for an early review, when that is sooner. Worked out in SQL so the admin
        list can filter and sort by it.
        """
        interval_days = Coalesce(
            "review_interval_days",
            "category__review_interval_days",
            models.Value(settings.KB_REVIEW_INTERVAL_DAYS),
            output_field=models.IntegerField(),
        )
        scheduled = models.ExpressionWrapper(
            Coalesce("last_verified", "created")
            + models.ExpressionWrapper(
                interval_days * models.Value(timedelta(days=1)),
                output_field=models.DurationField(),
            ),
            output_field=models.DateTimeField(),
        )
        return self.annotate(
            review_due=models.Case(
                models.When(
                    review_requested__isnull=False,
                    review_requested__lt=scheduled,
                    then="review_requested",
                ),
                default=scheduled,
                output_field=models.DateTimeField(),
            )
        )

    def with_responsible(self):
        """Annotate `responsible`: the pk of who keeps the entry true, its owner or else its
        category's default owner (None: nobody)."""
        return self.annotate(responsible=Coalesce("owner", "category__default_owner"))

    def kept_by(self, user):
        """Entries `user` keeps: their own, and their categories' entries without an owner;
        None: the entries nobody keeps."""
        if user is None:
            return self.filter(owner__isnull=True, category__default_owner__isnull=True)
        return self.filter(
            models.Q(owner=user) | models.Q(owner__isnull=True, category__default_owner=user)
        )

    def due_for_review(self, now: datetime | None = None):
        return self.with_review_due().filter(review_due__lte=now or timezone.now())

    def flag_for_review(self, note: str, now: datetime | None = None) -> int:
        """Ask for an early review; an entry already flagged keeps its first reason.

        A bulk update: a flag is not an edit, so neither the history nor `updated` change.
        """
        return self.filter(review_requested__isnull=True).update(
            review_requested=now or timezone.now(),
            review_request_note=note[: Entry.REVIEW_NOTE_MAX_LENGTH],
        )

    def rerender_answers(self) -> int:
        """Render every answer again, for when the Markdown renderer changed; returns how many
        changed. A bulk update: `updated`, the history and the search index are not touched,
        because what the author wrote has not changed (the index takes the new plain text at its
        next rebuild)."""
        changed = []
        for entry in self.only("pk", "answer", "answer_html", "answer_text"):
            html, text = render_markdown(entry.answer), markdown_to_text(entry.answer)
            if (html, text) != (entry.answer_html, entry.answer_text):
                entry.answer_html, entry.answer_text = html, text
                changed.append(entry)
        self.model.objects.bulk_update(changed, ["answer_html", "answer_text"], batch_size=200)
        return len(changed)


class Entry(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    REVIEW_NOTE_MAX_LENGTH = 300
    # What a verification, a flag or load_faq's bookkeeping write: nothing an engineer's form
    # holds, so they neither take a new version nor refuse an open form's save.
    unversioned_fields = frozenset(
        {
            "last_verified",
            "verified_by",
            "review_requested",
            "review_request_note",
            "synced_hash",
            "answer_html",
            "answer_text",
            "updated",
        }
    )

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="entries")
    question = models.CharField(
        max_length=300, help_text="The question as a developer would ask it."
    )
    slug = models.SlugField(
        max_length=120,
        unique=True,
        validators=[validate_slug_shape],
        help_text="Part of the permalink: /faq/the-slug/. Changing it breaks links people "
        "have saved.",
    )
    answer = models.TextField(
        help_text="Markdown: **bold**, `code`, [links](https://…), lists, tables. "
        "Scripts and unsafe HTML are removed when the page is shown."
    )
    answer_html = models.TextField(editable=False, default="")
    # The answer as plain text (snippets, summaries, the search index), derived in save() so
    # that nothing renders Markdown again to read it: 31 s of every 10,000-entry rebuild.
    answer_text = models.TextField(editable=False, default="")
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
        default=0,
        validators=order_validators,
        help_text="Position within the category; lower numbers come first.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # What the entry's file said when it was last loaded or exported (kb.content.loading), so
    # that load_faq never overwrites what an engineer changed in the admin since.
    synced_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    # Verified answers: who keeps the entry true, how often it is checked, when it last was.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_entries",
        limit_choices_to={"is_staff": True},
        help_text="The support engineer who keeps this answer true. They get the daily e-mail "
        "of their entries due for review.",
    )
    review_interval_days = review_interval_field(
        "How often this answer must be checked, in days. Empty: the category's interval, "
        "or the site's default."
    )
    last_verified = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When an engineer last verified it."
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="verified_entries",
    )
    review_requested = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when a reader's complaint or an edited error code asks for an early "
        "review; verifying clears it.",
    )
    review_request_note = models.CharField(
        max_length=REVIEW_NOTE_MAX_LENGTH, blank=True, editable=False
    )

    history = HistoricalRecords(
        excluded_fields=["answer_html", "answer_text", "updated", "synced_hash"]
    )
    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["category__order", "order", "question"]
        verbose_name_plural = "entries"
        # Publishing apart from changing, for sites that review before publishing
        # (settings.KB_REVIEW_BEFORE_PUBLISHING; kb/editorial/approval.py).
        permissions = [("publish_entry", "Can publish entries")]
        # A category's page and the home page's first questions; the admin's list, sorted by
        # date or question. Lookups that stay quick at tens of thousands of entries.
        indexes = [
            models.Index(fields=["category", "status", "order"], name="entry_category_page"),
            models.Index(fields=["status", "updated"], name="entry_status_updated"),
            models.Index(fields=["updated"], name="entry_updated"),
            models.Index(fields=["question"], name="entry_question"),
        ]

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs):
        # Browsers submit CRLF; keep LF so exported files and comparisons stay stable.
        self.answer = self.answer.replace("\r\n", "\n").strip()
        self.symptoms = "\n".join(self.symptom_list)
        self.answer_html = render_markdown(self.answer)
        self.answer_text = markdown_to_text(self.answer)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "answer" in update_fields:
            kwargs["update_fields"] = {*update_fields, "answer_html", "answer_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("entry_detail", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def symptom_list(self) -> list[str]:
        return [line.strip() for line in self.symptoms.splitlines() if line.strip()]

    def summary(self, length: int = 155) -> str:
        text = " ".join(self.answer_text.split())
        if len(text) <= length:
            return text
        return text[: length - 1].rsplit(" ", 1)[0] + "…"

    @property
    def responsible(self):
        """Who keeps the answer true: its owner, else its category's default owner, or None."""
        return self.owner or self.category.default_owner

    @property
    def review_interval(self) -> int:
        """The interval in days that applies: the entry's, else its category's, else the site's.

        The same rule as EntryQuerySet.with_review_due(), for one entry already in memory."""
        return (
            self.review_interval_days
            or self.category.review_interval_days
            or settings.KB_REVIEW_INTERVAL_DAYS
        )

    @property
    def scheduled_review(self) -> datetime:
        """When the interval runs out, ignoring any early-review flag."""
        base = self.last_verified or self.created or timezone.now()
        return base + timedelta(days=self.review_interval)

    def is_long_overdue(self, now: datetime | None = None) -> bool:
        """Past its interval by more than KB_REVIEW_OVERDUE_NOTICE_DAYS: the public page says
        so. An early-review flag alone never shows to readers: one complaint is not a fact."""
        grace = timedelta(days=settings.KB_REVIEW_OVERDUE_NOTICE_DAYS)
        return self.scheduled_review + grace < (now or timezone.now())


# --- Who may publish ---------------------------------------------------------------------------

PUBLISH_PERMISSION = "kb.publish_entry"


def may_publish(user) -> bool:
    """Whether `user` may make changes public: anyone who may change entries, unless the site
    reviews before publishing (settings.KB_REVIEW_BEFORE_PUBLISHING), when it takes the
    "Can publish entries" permission. The change permission is checked by the admin."""
    return not settings.KB_REVIEW_BEFORE_PUBLISHING or user.has_perm(PUBLISH_PERMISSION)


def publishers():
    """The active staff who hold the publish permission (superusers included): the reviewers."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    permission = Permission.objects.filter(
        content_type__app_label="kb", codename="publish_entry"
    ).first()
    granted = models.Q(is_superuser=True)
    if permission is not None:
        granted |= models.Q(user_permissions=permission) | models.Q(groups__permissions=permission)
    return (
        get_user_model()
        .objects.filter(granted, is_active=True, is_staff=True)
        .distinct()
        .order_by("username")
    )


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
