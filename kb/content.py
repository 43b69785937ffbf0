"""The FAQ as files: reading, validating, loading and exporting `faq_content/`.

Layout of the content folder:

    categories.yaml        a list of {slug, name, description, order}
    entries/<slug>.md      one entry per file: YAML front matter, then the answer in Markdown
    synonyms.yaml          optional: a list of {terms: [...], note} groups for search

Everything is read and validated before the database is touched, and loading runs in
one transaction, so a malformed file stops the import and leaves the database as it was.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from django.db import transaction

from kb.models import Category, Entry, Synonym

CATEGORIES_FILE = "categories.yaml"
SYNONYMS_FILE = "synonyms.yaml"
ENTRIES_DIR = "entries"
ENTRY_KEYS = ("question", "category", "slug", "order", "status", "symptoms")
REQUIRED_ENTRY_KEYS = ("question", "category", "slug", "order", "symptoms")
CATEGORY_KEYS = ("slug", "name", "description", "order")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ContentError(Exception):
    """A content file that cannot be imported; the message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class CategoryData:
    slug: str
    name: str
    description: str
    order: int


@dataclass(frozen=True)
class EntryData:
    slug: str
    question: str
    category: str
    order: int
    status: str
    symptoms: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class SynonymData:
    terms: str
    note: str


@dataclass
class Content:
    categories: list[CategoryData]
    entries: list[EntryData]
    synonyms: list[SynonymData] = field(default_factory=list)


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.deleted)} deleted, {self.unchanged} unchanged"
        )


def _check_order(path: Path, value, where: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ContentError(path, f"{where}'order' must be a whole number of 0 or more")
    return value


def _check_slug(path: Path, value, where: str = "") -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ContentError(
            path, f"{where}'slug' must be lower-case letters, digits and hyphens, not {value!r}"
        )
    return value


def _check_text(path: Path, value, key: str, where: str = "", max_length: int = 0) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContentError(path, f"{where}'{key}' must not be empty")
    if max_length and len(value) > max_length:
        raise ContentError(path, f"{where}'{key}' is longer than {max_length} characters")
    return value.strip()


def read_categories(content_dir: Path) -> list[CategoryData]:
    path = content_dir / CATEGORIES_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(path, "the categories file is missing") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(path, f"not valid YAML: {exc}") from None
    if not isinstance(raw, list) or not raw:
        raise ContentError(path, "must be a list of categories")
    categories, seen = [], set()
    for number, item in enumerate(raw, 1):
        where = f"category {number}: "
        if not isinstance(item, dict):
            raise ContentError(path, f"{where}must be a mapping of {', '.join(CATEGORY_KEYS)}")
        if unknown := set(item) - set(CATEGORY_KEYS):
            raise ContentError(path, f"{where}unknown keys {sorted(unknown)}")
        slug = _check_slug(path, item.get("slug"), where)
        if slug in seen:
            raise ContentError(path, f"{where}duplicate slug {slug!r}")
        seen.add(slug)
        description = item.get("description") or ""
        if not isinstance(description, str):
            raise ContentError(path, f"{where}'description' must be text")
        categories.append(
            CategoryData(
                slug=slug,
                name=_check_text(path, item.get("name"), "name", where, max_length=100),
                description=description.strip(),
                order=_check_order(path, item.get("order", number), where),
            )
        )
    return categories


def read_synonyms(content_dir: Path) -> list[SynonymData]:
    path = content_dir / SYNONYMS_FILE
    if not path.exists():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(path, f"not valid YAML: {exc}") from None
    if not isinstance(raw, list):
        raise ContentError(path, "must be a list of synonym groups")
    synonyms, seen = [], set()
    for number, item in enumerate(raw, 1):
        where = f"group {number}: "
        if not isinstance(item, dict) or set(item) - {"terms", "note"}:
            raise ContentError(path, f"{where}must be a mapping of terms (a list) and note")
        terms = item.get("terms")
        if not isinstance(terms, list) or len(terms) < 2:
            raise ContentError(path, f"{where}'terms' must list at least two words or phrases")
        phrases = [str(t).strip() for t in terms]
        if any(not p or "," in p for p in phrases):
            raise ContentError(path, f"{where}a term must be non-empty and have no comma")
        joined = ", ".join(phrases)
        if joined in seen:
            raise ContentError(path, f"{where}duplicate group {joined!r}")
        seen.add(joined)
        if len(joined) > 500:
            raise ContentError(path, f"{where}the terms are longer than 500 characters")
        note = item.get("note") or ""
        if not isinstance(note, str) or len(note) > 200:
            raise ContentError(path, f"{where}'note' must be text of at most 200 characters")
        synonyms.append(SynonymData(terms=joined, note=note.strip()))
    return synonyms


def read_entry(path: Path, category_slugs: set[str]) -> EntryData:
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ContentError(path, "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise ContentError(path, f"bad front matter: {exc}") from None
    meta = post.metadata
    if not meta:
        raise ContentError(path, "no front matter: the file must start with a '---' block")
    if missing := [key for key in REQUIRED_ENTRY_KEYS if key not in meta]:
        raise ContentError(path, f"front matter is missing {', '.join(missing)}")
    if unknown := set(meta) - set(ENTRY_KEYS):
        raise ContentError(path, f"unknown front matter keys {sorted(unknown)}")
    category = meta["category"]
    if category not in category_slugs:
        raise ContentError(
            path, f"unknown category {category!r}: add it to {CATEGORIES_FILE} or fix the slug"
        )
    status = meta.get("status", Entry.Status.PUBLISHED)
    if status not in Entry.Status.values:
        raise ContentError(path, f"'status' must be one of {Entry.Status.values}, not {status!r}")
    symptoms = meta["symptoms"]
    if not isinstance(symptoms, list) or not all(
        isinstance(s, str | int) and str(s).strip() for s in symptoms
    ):
        raise ContentError(path, "'symptoms' must be a list of non-empty strings")
    if any("\n" in str(s) for s in symptoms):
        raise ContentError(path, "a symptom must fit on one line")
    return EntryData(
        slug=_check_slug(path, meta["slug"]),
        question=_check_text(path, meta["question"], "question", max_length=300),
        category=category,
        order=_check_order(path, meta["order"]),
        status=status,
        symptoms=tuple(str(s).strip() for s in symptoms),
        answer=_check_text(path, post.content, "answer (the text after the front matter)"),
    )


def read_content(content_dir: Path) -> Content:
    content_dir = Path(content_dir)
    categories = read_categories(content_dir)
    category_slugs = {c.slug for c in categories}
    entries_dir = content_dir / ENTRIES_DIR
    if not entries_dir.is_dir():
        raise ContentError(entries_dir, "the entries folder is missing")
    entries, paths_by_slug = [], {}
    for path in sorted(entries_dir.glob("*.md")):
        entry = read_entry(path, category_slugs)
        if entry.slug in paths_by_slug:
            raise ContentError(
                path, f"duplicate slug {entry.slug!r}, also used by {paths_by_slug[entry.slug]}"
            )
        paths_by_slug[entry.slug] = path.name
        entries.append(entry)
    return Content(categories=categories, entries=entries, synonyms=read_synonyms(content_dir))


def _apply(instance, values: dict) -> bool:
    """Set the values that differ; say whether anything did."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


@transaction.atomic
def load_content(content_dir: Path, prune: bool = False) -> LoadReport:
    """Upsert the files' categories and entries by slug; `prune` deletes what the files lack.

    Only rows whose values differ are saved, so a second run changes nothing.
    """
    content = read_content(content_dir)
    report = LoadReport()

    categories = {c.slug: c for c in Category.objects.all()}
    for data in content.categories:
        values = {"name": data.name, "description": data.description, "order": data.order}
        category = categories.get(data.slug)
        if category is None:
            categories[data.slug] = Category.objects.create(slug=data.slug, **values)
            report.created.append(f"category {data.slug}")
        elif _apply(category, values):
            category.save()
            report.updated.append(f"category {data.slug}")
        else:
            report.unchanged += 1

    existing = {e.slug: e for e in Entry.objects.all()}
    for data in content.entries:
        values = {
            "question": data.question,
            "category": categories[data.category],
            "order": data.order,
            "status": data.status,
            "symptoms": "\n".join(data.symptoms),
            "answer": data.answer,
        }
        entry = existing.get(data.slug)
        if entry is None:
            Entry.objects.create(slug=data.slug, **values)
            report.created.append(data.slug)
        elif _apply(entry, values):
            entry.save()
            report.updated.append(data.slug)
        else:
            report.unchanged += 1

    existing_synonyms = {s.terms: s for s in Synonym.objects.all()}
    for data in content.synonyms:
        synonym = existing_synonyms.get(data.terms)
        if synonym is None:
            Synonym.objects.create(terms=data.terms, note=data.note)
            report.created.append(f"synonyms {data.terms}")
        elif _apply(synonym, {"note": data.note}):
            synonym.save()
            report.updated.append(f"synonyms {data.terms}")
        else:
            report.unchanged += 1

    if prune:
        for synonym in Synonym.objects.exclude(terms__in=[s.terms for s in content.synonyms]):
            report.deleted.append(f"synonyms {synonym.terms}")
            synonym.delete()
        file_slugs = {e.slug for e in content.entries}
        for entry in Entry.objects.exclude(slug__in=file_slugs):
            report.deleted.append(entry.slug)
            entry.delete()
        category_slugs = {c.slug for c in content.categories}
        for category in Category.objects.exclude(slug__in=category_slugs):
            if not category.entries.exists():
                report.deleted.append(f"category {category.slug}")
                category.delete()
    return report


def _dump_yaml(data) -> str:
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
    return f"---\n{_dump_yaml(meta)}---\n{entry.answer.strip()}\n"


def export_content(content_dir: Path) -> int:
    """Write every category and entry (drafts too) back as files; returns the entry count.

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
    (content_dir / CATEGORIES_FILE).write_text(_dump_yaml(categories), encoding="utf-8")
    synonyms = [
        {"terms": s.phrases, **({"note": s.note} if s.note else {})} for s in Synonym.objects.all()
    ]
    (content_dir / SYNONYMS_FILE).write_text(_dump_yaml(synonyms), encoding="utf-8")
    written = set()
    for entry in Entry.objects.select_related("category"):
        path = entries_dir / f"{entry.slug}.md"
        path.write_text(entry_file_text(entry), encoding="utf-8")
        written.add(path.name)
    for stale in entries_dir.glob("*.md"):
        if stale.name not in written:
            stale.unlink()
    return len(written)
