"""The FAQ's own models: categories, entries and the synonyms search applies.

Imports only kb.content.markdown: every other concern builds on these models.
"""

from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kb.content.markdown import markdown_to_text, render_markdown

# One rule for slugs, in the admin and in faq_content/ alike: what load_faq accepts.
validate_slug_shape = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z",
    "Use lower-case letters, digits and single hyphens, like rate-limit-429.",
    code="invalid_slug",
)
# The largest number every supported database keeps in an integer column.
ORDER_MAX = 2_147_483_647
order_validators = [MaxValueValidator(ORDER_MAX)]


class CategoryQuerySet(models.QuerySet):
    def with_published_entries(self):
        """Categories that have something public to show."""
        return self.filter(entries__in=Entry.objects.published()).distinct()

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
        validators=[validate_slug_shape],
        help_text="Part of the permalink: /faq/the-slug/. Changing it breaks links people "
        "have saved.",
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
        default=0,
        validators=order_validators,
        help_text="Position within the category; lower numbers come first.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # What the entry's file said when it was last loaded or exported (kb.content.loading), so
    # that load_faq never overwrites what an engineer changed in the admin since.
    synced_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    history = HistoricalRecords(excluded_fields=["answer_html", "updated", "synced_hash"])
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
