"""Readable comparisons between two saved revisions of an entry (django-simple-history):
word by word, with what went out in <del> and what came in <ins>."""

import difflib
import re
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from kb.content.models import Category, Entry

# The fields an engineer edits, in the order the form shows them.
COMPARED_FIELDS = ["question", "slug", "category", "status", "order", "answer", "symptoms"]
# Words, runs of space and single punctuation marks: a changed comma stays a comma.
DIFF_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


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


def content_revisions(records: list) -> list:
    """The revisions (newest first, as given) that changed something the form edits: a
    verification or an early-review flag is a revision too, with nothing to compare."""
    kept: list = []
    for record in reversed(records):
        values = [revision_value(record, name) for name in COMPARED_FIELDS]
        if not kept or values != kept[-1][0]:
            kept.append((values, record))
    return [record for _, record in reversed(kept)]


def revision_label(record) -> str:
    # No user: the save came from outside the admin (load_faq, a shell).
    who = f"by {record.history_user}" if record.history_user else "outside the admin"
    return f"#{record.history_id}, {record.history_date:%Y-%m-%d %H:%M} UTC {who}"


def word_diff(old: str, new: str, context_words: int | None = None) -> SafeString:
    """The change from `old` to `new` word by word, escaped: removed words in <del>, added
    ones in <ins>. With `context_words`, unchanged text keeps only that many words on each side
    of a change, for a summary; without it, the whole text shows, for a comparison."""
    before, after = DIFF_TOKEN.findall(old), DIFF_TOKEN.findall(new)
    segments = _segments(before, after)
    parts = []
    for number, (changed, removed, added) in enumerate(segments):
        if not changed:
            if context_words is not None:
                removed = _trim(removed, context_words, number > 0, number < len(segments) - 1)
            parts.append(escape("".join(removed)))
            continue
        if removed:
            parts.append(f"<del>{escape(''.join(removed))}</del>")
        if added:
            parts.append(f"<ins>{escape(''.join(added))}</ins>")
    return mark_safe("".join(parts))


def _segments(before: list[str], after: list[str]) -> list[tuple[bool, list[str], list[str]]]:
    """(changed, old tokens, new tokens) runs. Changes only a space apart become one, so
    "my integration" -> "the sandbox" reads as one replacement, not two."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    segments: list[tuple[bool, list[str], list[str]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = before[i1:i2], after[j1:j2]
        if tag == "equal":
            segments.append((False, old, new))
        elif segments and segments[-1][0]:
            segments[-1][1].extend(old)
            segments[-1][2].extend(new)
        elif len(segments) > 1 and all(t.isspace() for t in segments[-1][1]):
            space = segments.pop()[1]
            segments[-1][1].extend(space + old)
            segments[-1][2].extend(space + new)
        else:
            segments.append((True, old, new))
    return segments


def _trim(tokens: list[str], words: int, after_change: bool, before_change: bool) -> list[str]:
    """Unchanged tokens cut to `words` words after the change before them and before the next."""
    positions = [n for n, token in enumerate(tokens) if not token.isspace()]
    head = positions[words] if after_change and len(positions) > words else None
    tail = positions[-words] if before_change and len(positions) > words else None
    if not after_change:  # the text's start: only what leads into the first change
        return ["… ", *tokens[tail:]] if tail else tokens
    if not before_change:  # the text's end
        return [*tokens[:head], "…"] if head else tokens
    if len(positions) <= 2 * words:
        return tokens
    return [*tokens[:head], "… ", *tokens[tail:]]


def field_value(record, model, name: str) -> str:
    """A field of a revision (or of the row itself) as an engineer reads it."""
    if model is Entry:
        return revision_value(record, name)
    field = model._meta.get_field(name)
    if field.is_relation:
        try:
            return str(getattr(record, name))
        except ObjectDoesNotExist:
            return f"(deleted #{getattr(record, field.attname)})"
    value = getattr(record, field.attname)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return "" if value is None else str(value)


def compare_revisions(
    old, new, context_words: int | None = None, fields=None, model=Entry
) -> list[FieldComparison]:
    comparisons = []
    for name in fields or COMPARED_FIELDS:
        comparison = FieldComparison(
            name=name,
            label=str(model._meta.get_field(name).verbose_name).capitalize(),
            old=field_value(old, model, name),
            new=field_value(new, model, name),
        )
        if comparison.changed:
            comparison.diff_html = word_diff(comparison.old, comparison.new, context_words)
        comparisons.append(comparison)
    return comparisons


def changes_since(current, version: int, fields: list[str]) -> tuple[str, list[FieldComparison]]:
    """What changed in `current` (a versioned row, as stored now) since `version`: who saved
    last and when, and the fields that differ from the last revision saved at that version."""
    model = type(current)
    history_fields = {field.name for field in current.history.model._meta.fields}
    fields = [name for name in fields if name in history_fields and name != "version"]
    revisions = current.history.select_related("history_user").order_by("-history_id")
    latest = revisions.first()
    label = revision_label(latest) if latest is not None else "outside the admin"
    opened = revisions.filter(version=version).first()
    if opened is None:
        return label, []
    changed = compare_revisions(opened, current, fields=fields, model=model)
    return label, [comparison for comparison in changed if comparison.changed]


def stale_edit_message(current, version: int, fields: list[str]) -> SafeString:
    """The refusal of a form opened at `version`, showing the change saved since."""
    label, changed = changes_since(current, version, fields)
    items = format_html_join(
        "",
        '<li><b>{}</b>: <span class="diff">{}</span></li>',
        ((c.label, c.diff_html) for c in changed),
    )
    return format_html(
        "Not saved: this {} was changed since you opened it (now version {}, revision {}). "
        'Nothing was overwritten. The other change:<ul class="stale-edit">{}</ul>'
        "Your edits are still in the form below. Saving again replaces the other change "
        "with what the form holds, so carry it over first if it should stay.",
        current._meta.verbose_name,
        current.version,
        label,
        items or format_html("<li>{}</li>", "(only fields this form does not show)"),
    )
