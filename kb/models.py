from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kb.markdown import markdown_to_text, render_markdown
from kb.tools import message_matches, nearest_codes


class Category(models.Model):
    name = models.CharField(max_length=100, help_text="Shown as the section heading.")
    slug = models.SlugField(
        max_length=100, unique=True, help_text="Part of the category's address: /c/<slug>/."
    )
    description = models.TextField(
        blank=True, help_text="One sentence telling developers what they will find here."
    )
    order = models.PositiveIntegerField(default=0, help_text="Lower numbers are listed first.")

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
