"""Loading the FAQ's files into the database, and exporting the database back to files.

Loading upserts by slug and saves only rows whose values differ, so a second run changes
nothing. Imports kb.content.files and kb.content.models.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.utils.translation import ngettext

from kb.content.files import (
    CATEGORIES_FILE,
    ENTRIES_DIR,
    PROGRESS_EVERY,
    SYNONYMS_FILE,
    CategoryData,
    Content,
    EntryData,
    SynonymData,
)
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
    # Categories whose file names an owner without a staff account here: left as they were.
    unknown_owners: list[str] = field(default_factory=list)
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


def save_changes(
    report: LoadReport,
    instance,
    values: dict,
    label: str,
    relate: Callable[[Any], bool] | None = None,
):
    """Save a new row, or one whose `values` differ, and note in the report what happened.

    `relate(row)` sets the saved row's many-to-many links (a row needs its id first) and says
    whether they changed."""
    adding = instance._state.adding  # not in the database yet
    changed = apply_values(instance, values)
    if adding or changed:
        instance.save()
    if relate is not None and relate(instance):
        changed = True
    if adding:
        report.created.append(label)
    elif changed:
        report.updated.append(label)
    else:
        report.kept.append(label)
    return instance


def delete_rows(report: LoadReport, rows, label: Callable[[Any], str]) -> None:
    """Delete each row, noting it in the report."""
    for row in rows:
        report.deleted.append(label(row))
        row.delete()


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


def load_content(
    content: Content,
    prune: bool = False,
    overwrite: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> LoadReport:
    """Upsert the files' categories, entries and synonyms; `prune` deletes what the files lack.

    Only rows whose values differ are saved, so a second run changes nothing. An entry changed
    in the admin since the files last saw it is neither replaced nor pruned unless `overwrite`:
    the load stops with ChangedInAdmin naming them. The caller holds the transaction
    (kb.faq.load_faq), so a stopped load leaves the database as it was. `progress` is told
    ("saved", done, total) as the entries are compared and saved.
    """
    report = LoadReport()
    categories = _load_categories(content.categories, report)
    conflicts = _load_entries(content.entries, categories, report, overwrite, progress)
    _load_synonyms(content.synonyms, report)
    if prune:
        _prune_synonyms(content.synonyms, report)
        conflicts += _prune_entries(content.entries, report, overwrite)
        _prune_categories(content.categories, report)
    if conflicts:
        raise ChangedInAdmin(sorted(conflicts))
    return report


def _load_categories(files: list[CategoryData], report: LoadReport) -> dict[str, Category]:
    """Every category by slug, the files' ones created or updated."""
    categories = {c.slug: c for c in Category.objects.all()}
    owners = {
        user.get_username(): user
        for user in get_user_model().objects.filter(
            is_staff=True, username__in={data.owner for data in files if data.owner}
        )
    }
    for data in files:
        category = categories.get(data.slug) or Category(slug=data.slug)
        values = {"name": data.name, "description": data.description, "order": data.order}
        # A file without an owner leaves the one chosen in the admin.
        if data.owner in owners:
            values["default_owner"] = owners[data.owner]
        elif data.owner:
            report.unknown_owners.append(f"{data.slug}: {data.owner}")
        categories[data.slug] = save_changes(report, category, values, f"category {data.slug}")
    return categories


def _load_entries(
    files: list[EntryData],
    categories: dict[str, Category],
    report: LoadReport,
    overwrite: bool,
    progress: Callable[[str, int, int], None] | None,
) -> list[str]:
    """Create or update the files' entries; returns the slugs of those changed in the admin,
    left as they are (unless `overwrite`)."""
    conflicts = []
    existing = {e.slug: e for e in Entry.objects.select_related("category")}
    for number, data in enumerate(files):
        if progress and number % PROGRESS_EVERY == 0:
            progress("saved", number, len(files))
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
    if progress:
        progress("saved", len(files), len(files))
    return conflicts


def _load_synonyms(files: list[SynonymData], report: LoadReport) -> None:
    existing = {s.terms: s for s in Synonym.objects.all()}
    for data in files:
        synonym = existing.get(data.terms) or Synonym(terms=data.terms)
        save_changes(report, synonym, {"note": data.note}, f"synonyms {data.terms}")


def _prune_synonyms(files: list[SynonymData], report: LoadReport) -> None:
    missing = Synonym.objects.exclude(terms__in=[s.terms for s in files])
    delete_rows(report, missing, lambda synonym: f"synonyms {synonym.terms}")


def _prune_entries(files: list[EntryData], report: LoadReport, overwrite: bool) -> list[str]:
    """Delete the entries the files lack; returns the slugs of those changed in the admin,
    kept (unless `overwrite`)."""
    conflicts = []
    missing = Entry.objects.exclude(slug__in={e.slug for e in files}).select_related("category")
    for entry in missing:
        if changed_since_sync(entry) and not overwrite:
            conflicts.append(entry.slug)
            continue
        report.deleted.append(entry.slug)
        entry.delete()
    return conflicts


def _prune_categories(files: list[CategoryData], report: LoadReport) -> None:
    # A category that still has entries stays: they were kept as changed in the admin.
    missing = Category.objects.exclude(slug__in={c.slug for c in files}).filter(entries=None)
    delete_rows(report, missing, lambda category: f"category {category.slug}")


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
        {
            "slug": c.slug,
            "name": c.name,
            "description": c.description,
            "order": c.order,
            **({"owner": c.default_owner.get_username()} if c.default_owner else {}),
        }
        for c in Category.objects.select_related("default_owner")
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
