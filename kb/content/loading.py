"""Loading the FAQ's files into the database, and exporting the database back to files.

Loading upserts by slug and saves only rows whose values differ, so a second run changes
nothing. Imports kb.content.files and kb.content.models.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.utils.translation import ngettext

from kb.content.files import CATEGORIES_FILE, ENTRIES_DIR, SYNONYMS_FILE, Content
from kb.content.models import Category, Entry, Synonym

# What each report label is about, by its first word; an entry's label is its bare slug.
LABEL_KINDS = {
    "category": ("category", "categories"),
    "synonyms": ("synonym group", "synonym groups"),
    "code": ("error code", "error codes"),
    "message": ("known message", "known messages"),
}
ENTRY_KIND = ("entry", "entries")


def count_labels(labels: list[str]) -> str:
    """`14 categories, 27 entries and 18 synonym groups`: how many of each kind."""
    counts = Counter(LABEL_KINDS.get(label.split(" ", 1)[0], ENTRY_KIND) for label in labels)
    parts = [ngettext(f"%d {one}", f"%d {many}", n) % n for (one, many), n in counts.items()]
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already as the files say
    # Error codes and known messages are counted apart from categories and entries.
    error_codes: "LoadReport | None" = None

    @property
    def unchanged(self) -> int:
        return len(self.kept)

    @property
    def changed(self) -> bool:
        codes_changed = self.error_codes is not None and self.error_codes.changed
        return bool(self.created or self.updated or self.deleted or codes_changed)

    def __str__(self) -> str:
        """`14 categories, 27 entries and 18 synonym groups created`, or `nothing changed`."""
        actions = [("created", self.created), ("updated", self.updated), ("deleted", self.deleted)]
        parts = [f"{count_labels(labels)} {verb}" for verb, labels in actions if labels]
        if not parts:
            parts = ["nothing changed"]
        if self.kept:
            parts.append(f"{count_labels(self.kept)} unchanged")
        text = "; ".join(parts)
        if self.error_codes is not None:
            text += f". Error codes and messages: {self.error_codes}"
        return text


def apply_values(instance, values: dict) -> bool:
    """Set the values that differ; say whether anything did."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


class ChangedInAdmin(Exception):
    """Entries an engineer changed or created in the admin since the files last saw them."""

    def __init__(self, slugs: list[str]):
        self.slugs = slugs
        super().__init__(
            f"{len(slugs)} {'entry was' if len(slugs) == 1 else 'entries were'} changed or "
            f"created in the admin since the files were last loaded or exported: "
            f"{', '.join(slugs)}. Run export_faq to keep the admin's version in the files, or "
            "load_faq --overwrite to replace (and with --prune, delete) them with the files'."
        )


def fingerprint(
    question: str, category_slug: str, order: int, status: str, symptoms: str, answer: str
) -> str:
    """A hash of what an entry's file holds, to tell whether the entry changed since."""
    text = json.dumps([question, category_slug, order, status, symptoms, answer])
    return hashlib.sha256(text.encode()).hexdigest()


def entry_fingerprint(entry: Entry) -> str:
    return fingerprint(
        entry.question,
        entry.category.slug,
        entry.order,
        entry.status,
        "\n".join(entry.symptom_list),
        entry.answer.replace("\r\n", "\n").strip(),
    )


def changed_since_sync(entry: Entry) -> bool:
    """Whether the entry differs from what its file held when last loaded or exported (an entry
    created in the admin was never in a file, so it differs)."""
    return entry.synced_hash != entry_fingerprint(entry)


def load_content(content: Content, prune: bool = False, overwrite: bool = False) -> LoadReport:
    """Upsert the files' categories, entries and synonyms; `prune` deletes what the files lack.

    Only rows whose values differ are saved, so a second run changes nothing. An entry changed
    in the admin since the files last saw it is neither replaced nor pruned unless `overwrite`:
    the load stops with ChangedInAdmin naming them. The caller holds the transaction
    (kb.faq.load_faq), so a stopped load leaves the database as it was.
    """
    report = LoadReport()
    conflicts: list[str] = []

    categories = {c.slug: c for c in Category.objects.all()}
    for data in content.categories:
        values = {"name": data.name, "description": data.description, "order": data.order}
        category = categories.get(data.slug)
        if category is None:
            categories[data.slug] = Category.objects.create(slug=data.slug, **values)
            report.created.append(f"category {data.slug}")
        elif apply_values(category, values):
            category.save()
            report.updated.append(f"category {data.slug}")
        else:
            report.kept.append(f"category {data.slug}")

    existing = {e.slug: e for e in Entry.objects.select_related("category")}
    for data in content.entries:
        values = {
            "question": data.question,
            "category": categories[data.category],
            "order": data.order,
            "status": data.status,
            "symptoms": "\n".join(data.symptoms),
            "answer": data.answer,
        }
        synced = fingerprint(
            data.question, data.category, data.order, data.status, values["symptoms"], data.answer
        )
        entry = existing.get(data.slug)
        if entry is None:
            Entry.objects.create(slug=data.slug, synced_hash=synced, **values)
            report.created.append(data.slug)
        elif entry_fingerprint(entry) == synced:
            if entry.synced_hash != synced:  # the same as the file: in step from now on
                Entry.objects.filter(pk=entry.pk).update(synced_hash=synced)
            report.kept.append(data.slug)
        elif changed_since_sync(entry) and not overwrite:
            conflicts.append(data.slug)
        else:
            apply_values(entry, values)
            entry.synced_hash = synced
            entry.save()
            report.updated.append(data.slug)

    existing_synonyms = {s.terms: s for s in Synonym.objects.all()}
    for data in content.synonyms:
        synonym = existing_synonyms.get(data.terms)
        if synonym is None:
            Synonym.objects.create(terms=data.terms, note=data.note)
            report.created.append(f"synonyms {data.terms}")
        elif apply_values(synonym, {"note": data.note}):
            synonym.save()
            report.updated.append(f"synonyms {data.terms}")
        else:
            report.kept.append(f"synonyms {data.terms}")

    if prune:
        for synonym in Synonym.objects.exclude(terms__in=[s.terms for s in content.synonyms]):
            report.deleted.append(f"synonyms {synonym.terms}")
            synonym.delete()
        file_slugs = {e.slug for e in content.entries}
        for entry in Entry.objects.exclude(slug__in=file_slugs).select_related("category"):
            if changed_since_sync(entry) and not overwrite:
                conflicts.append(entry.slug)
                continue
            report.deleted.append(entry.slug)
            entry.delete()
        category_slugs = {c.slug for c in content.categories}
        for category in Category.objects.exclude(slug__in=category_slugs):
            if not category.entries.exists():
                report.deleted.append(f"category {category.slug}")
                category.delete()
    if conflicts:
        raise ChangedInAdmin(sorted(conflicts))
    return report


def dump_yaml(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def entry_file_text(entry: Entry) -> str:
    meta = {
        "question": entry.question,
        "category": entry.category.slug,
        "slug": entry.slug,
        "order": entry.order,
        "status": entry.status,
        "symptoms": entry.symptom_list,
    }
    return f"---\n{dump_yaml(meta)}---\n{entry.answer.strip()}\n"


def export_content(content_dir: Path) -> int:
    """Write every category, entry (drafts too) and error code back as files.

    Returns the entry count.

    Files of entries that no longer exist are removed, so export then `load_faq --prune`
    reproduces the database.
    """
    content_dir = Path(content_dir)
    entries_dir = content_dir / ENTRIES_DIR
    entries_dir.mkdir(parents=True, exist_ok=True)
    categories = [
        {"slug": c.slug, "name": c.name, "description": c.description, "order": c.order}
        for c in Category.objects.all()
    ]
    (content_dir / CATEGORIES_FILE).write_text(dump_yaml(categories), encoding="utf-8")
    synonyms = [
        {"terms": s.phrases, **({"note": s.note} if s.note else {})} for s in Synonym.objects.all()
    ]
    (content_dir / SYNONYMS_FILE).write_text(dump_yaml(synonyms), encoding="utf-8")
    written = set()
    for entry in Entry.objects.select_related("category"):
        path = entries_dir / f"{entry.slug}.md"
        path.write_text(entry_file_text(entry), encoding="utf-8")
        written.add(path.name)
        if changed_since_sync(entry):  # the files now hold the admin's version
            Entry.objects.filter(pk=entry.pk).update(synced_hash=entry_fingerprint(entry))
    for stale in entries_dir.glob("*.md"):
        if stale.name not in written:
            stale.unlink()
    return len(written)
