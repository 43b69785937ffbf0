"""Readable comparisons between two saved revisions of an entry (django-simple-history)."""

import difflib
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.content.models import Category, Entry

# The fields an engineer edits, in the order the form shows them.
COMPARED_FIELDS = ["question", "slug", "category", "status", "order", "answer", "symptoms"]
# Long text gets a line-by-line diff; the rest is shown as before/after.
MULTILINE_FIELDS = {"answer", "symptoms"}


@dataclass
class FieldComparison:
    name: str
    label: str
    old: str
    new: str
    diff_html: SafeString | None = None

    @property
    def changed(self) -> bool:
        return self.old != self.new


def revision_value(record, name: str) -> str:
    if name == "category":
        try:
            return str(record.category)
        except Category.DoesNotExist:
            return f"(deleted category #{record.category_id})"
    if name == "status":
        return dict(Entry.Status.choices).get(record.status, record.status)
    return str(getattr(record, name))


def revision_label(record) -> str:
    # No user: the save came from outside the admin (load_faq, a shell).
    who = f"by {record.history_user}" if record.history_user else "outside the admin"
    return f"#{record.history_id}, {record.history_date:%Y-%m-%d %H:%M} UTC {who}"


def diff_table(old: str, new: str, old_label: str, new_label: str) -> SafeString:
    """A side-by-side HTML diff. difflib escapes &, < and > in the text; NUL and SOH are
    difflib's own change markers, so they are removed from the input first."""

    def lines(text: str) -> list[str]:
        return text.replace("\x00", "").replace("\x01", "").splitlines()

    table = difflib.HtmlDiff(tabsize=4, wrapcolumn=70).make_table(
        lines(old), lines(new), escape(old_label), escape(new_label)
    )
    return mark_safe(table)


def compare_revisions(old, new) -> list[FieldComparison]:
    comparisons = []
    for name in COMPARED_FIELDS:
        comparison = FieldComparison(
            name=name,
            label=str(Entry._meta.get_field(name).verbose_name).capitalize(),
            old=revision_value(old, name),
            new=revision_value(new, name),
        )
        if comparison.changed and name in MULTILINE_FIELDS:
            comparison.diff_html = diff_table(
                comparison.old, comparison.new, revision_label(old), revision_label(new)
            )
        comparisons.append(comparison)
    return comparisons
