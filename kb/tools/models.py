"""Error codes and known error messages, for the error-code lookup (/tools/error-codes/).

Seeded from faq_content/error_codes.yaml by load_faq; support engineers edit them in the admin.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from kb.content.locking import VersionedModel
from kb.content.models import Entry
from kb.content.versions import content_changed
from kb.tools.error_lookup import message_matches, nearest_codes, status_codes_in


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ErrorCodeQuerySet(models.QuerySet):
    def with_published_entries(self):
        return self.prefetch_related(models.Prefetch("entries", queryset=Entry.objects.published()))

    def named_in(self, text: str) -> "ErrorCode | None":
        """The documented code a search names: typed, in a pasted response or message, or
        carried by a known message the text contains (`App is not connected…` is a 403)."""
        wanted = status_codes_in(text)
        if not wanted:
            messages = KnownErrorMessage.objects.found_in(text, partial=False)
            wanted = [m.error_code.code for m in messages if m.error_code is not None]
        found = {c.code: c for c in self.filter(code__in=wanted)}
        return next((found[code] for code in wanted if code in found), None)

    def for_pages(self):
        """Codes with what their pages show: published entries, known messages with theirs."""
        messages = KnownErrorMessage.objects.with_code_and_published_entries()
        return self.with_published_entries().prefetch_related(
            models.Prefetch("messages", queryset=messages)
        )

    def nearest(self, code: int, count: int = 3) -> list["ErrorCode"]:
        """The codes closest to one that is not here, for "did you mean"."""
        codes = nearest_codes(code, self.values_list("code", flat=True), count)
        by_code = {c.code: c for c in self.filter(code__in=codes)}
        return [by_code[c] for c in codes]


class ErrorCode(VersionedModel):
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
        # The code's own page: a permanent address, linked from error messages and tools.
        return reverse("error_page", args=[self.code])

    def get_markdown_url(self) -> str:
        return reverse("error_markdown", args=[self.code])

    @property
    def cause_list(self) -> list[str]:
        return _lines(self.causes)

    @property
    def fix_list(self) -> list[str]:
        return _lines(self.fixes)


class KnownErrorMessageQuerySet(models.QuerySet):
    def with_code_and_published_entries(self):
        return self.select_related("error_code").prefetch_related(
            models.Prefetch("entries", queryset=Entry.objects.published())
        )

    def found_in(self, text: str, partial: bool = True) -> list["KnownErrorMessage"]:
        """The known messages a pasted text contains, or (`partial`) that it is a long enough
        part of: the lookup answers as a message is typed, a search only for a whole one."""
        candidates = self.with_code_and_published_entries()
        # A few dozen rows at most: matching in Python keeps quotes and "!" out of the way.
        return [m for m in candidates if message_matches(m.text, text, partial=partial)]


class KnownErrorMessage(models.Model):
    text = models.CharField(
        max_length=300,
        unique=True,
        help_text="The message as the API sends it, like “App is not connected to this "
        "company”. Case, quotes and punctuation do not matter when it is matched.",
    )
    meaning = models.TextField(
        blank=True,
        help_text="What it means for the developer who got it, in a sentence or two.",
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


# Error pages, the lookup and entries' pages show these: a change gives the content a new
# version, so the cached pages that show them are not served again (kb/content/versions.py).
for _model in (ErrorCode, KnownErrorMessage):
    models.signals.post_save.connect(content_changed, sender=_model, weak=False)
    models.signals.post_delete.connect(content_changed, sender=_model, weak=False)
    models.signals.m2m_changed.connect(content_changed, sender=_model.entries.through, weak=False)
