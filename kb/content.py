"""The FAQ as files: reading, validating, loading and exporting `faq_content/`.

Layout of the content folder:

    categories.yaml        a list of {slug, name, description, order}
    entries/<slug>.md      one entry per file: YAML front matter, then the answer in Markdown
    synonyms.yaml          optional: a list of {terms: [...], note} groups for search
    error_codes.yaml       the error-code lookup's codes and known messages (optional)

Everything is read and validated before the database is touched, and loading runs in
one transaction, so a malformed file stops the import and leaves the database as it was.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from django.db import transaction

from kb.models import Category, Entry, ErrorCode, KnownErrorMessage, Synonym

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


@dataclass(frozen=True)
class ErrorCodeData:
    code: int
    name: str
    meaning: str
    causes: tuple[str, ...]
    fixes: tuple[str, ...]
    retry: str
    retry_guidance: str
    entries: tuple[str, ...]


@dataclass(frozen=True)
class KnownMessageData:
    text: str
    code: int | None
    entries: tuple[str, ...]


@dataclass
class ErrorCodeContent:
    codes: list[ErrorCodeData]
    messages: list[KnownMessageData]


@dataclass
class Content:
    categories: list[CategoryData]
    entries: list[EntryData]
    synonyms: list[SynonymData] = field(default_factory=list)
    # None when the folder has no error_codes.yaml: the database's codes are then left alone.
    error_codes: ErrorCodeContent | None = None


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Error codes and known messages are counted apart from categories and entries.
    error_codes: "LoadReport | None" = None

    @property
    def changed(self) -> bool:
        codes_changed = self.error_codes is not None and self.error_codes.changed
        return bool(self.created or self.updated or self.deleted or codes_changed)

    def __str__(self) -> str:
        text = (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.deleted)} deleted, {self.unchanged} unchanged"
        )
        if self.error_codes is not None:
            text += f"; error codes and messages: {self.error_codes}"
        return text


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


def _read_yaml(path: Path, required: bool = True):
    """The file's data; None for an optional file that is absent."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise ContentError(path, "the file is missing") from None
        return None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(path, f"not valid YAML: {exc}") from None


def _check_mapping(path: Path, item, keys: tuple[str, ...], where: str) -> dict:
    if not isinstance(item, dict):
        raise ContentError(path, f"{where}must be a mapping of {', '.join(keys)}")
    if unknown := set(item) - set(keys):
        raise ContentError(path, f"{where}unknown keys {sorted(unknown)}")
    return item


def read_categories(content_dir: Path) -> list[CategoryData]:
    path = content_dir / CATEGORIES_FILE
    raw = _read_yaml(path)
    if not isinstance(raw, list) or not raw:
        raise ContentError(path, "must be a list of categories")
    categories, seen = [], set()
    for number, item in enumerate(raw, 1):
        where = f"category {number}: "
        _check_mapping(path, item, CATEGORY_KEYS, where)
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
    raw = _read_yaml(path, required=False) or []
    if not isinstance(raw, list):
        raise ContentError(path, "must be a list of synonym groups")
    synonyms, seen = [], set()
    for number, item in enumerate(raw, 1):
        where = f"group {number}: "
        _check_mapping(path, item, ("terms", "note"), where)
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
    return Content(
        categories=categories,
        entries=entries,
        synonyms=read_synonyms(content_dir),
        error_codes=read_error_codes(content_dir, set(paths_by_slug)),
    )


ERROR_CODES_FILE = "error_codes.yaml"
ERROR_CODE_KEYS = (
    "code",
    "name",
    "meaning",
    "causes",
    "fixes",
    "retry",
    "retry_guidance",
    "entries",
)
MESSAGE_KEYS = ("text", "code", "entries")


def _check_lines(path: Path, value, key: str, where: str, required: bool = True) -> tuple:
    if value is None and not required:
        return ()
    if (
        not isinstance(value, list)
        or (required and not value)
        or not all(isinstance(item, str) and item.strip() for item in value)
    ):
        raise ContentError(path, f"{where}'{key}' must be a list of non-empty strings")
    if any("\n" in item.strip() for item in value):
        raise ContentError(path, f"{where}each of '{key}' must fit on one line")
    return tuple(item.strip() for item in value)


def _check_entry_slugs(path: Path, value, where: str, entry_slugs: set[str]) -> tuple:
    slugs = _check_lines(path, value, "entries", where, required=False)
    if unknown := [slug for slug in slugs if slug not in entry_slugs]:
        raise ContentError(
            path, f"{where}unknown entries {unknown}: each must be the slug of an entry file"
        )
    return slugs


def _check_code(path: Path, value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise ContentError(path, f"{where}'code' must be an HTTP status code, 100 to 599")
    return value


def read_error_codes(content_dir: Path, entry_slugs: set[str]) -> ErrorCodeContent | None:
    """The error codes and known messages; None when the file is absent (nothing to manage)."""
    path = content_dir / ERROR_CODES_FILE
    if not path.exists():
        return None
    raw = _read_yaml(path)
    if not isinstance(raw, dict) or set(raw) - {"codes", "messages"} or "codes" not in raw:
        raise ContentError(path, "must be a mapping with 'codes' and 'messages' lists")
    raw_codes, raw_messages = raw.get("codes") or [], raw.get("messages") or []
    if not isinstance(raw_codes, list) or not isinstance(raw_messages, list):
        raise ContentError(path, "'codes' and 'messages' must be lists")

    codes: list[ErrorCodeData] = []
    for number, item in enumerate(raw_codes, 1):
        where = f"code {number}: "
        _check_mapping(path, item, ERROR_CODE_KEYS, where)
        code = _check_code(path, item.get("code"), where)
        where = f"code {code}: "
        if any(c.code == code for c in codes):
            raise ContentError(path, f"{where}listed twice")
        retry = item.get("retry")
        if retry not in ErrorCode.Retry.values:
            raise ContentError(
                path, f"{where}'retry' must be one of {ErrorCode.Retry.values}, not {retry!r}"
            )
        codes.append(
            ErrorCodeData(
                code=code,
                name=_check_text(path, item.get("name"), "name", where, max_length=100),
                meaning=_check_text(path, item.get("meaning"), "meaning", where),
                causes=_check_lines(path, item.get("causes"), "causes", where),
                fixes=_check_lines(path, item.get("fixes"), "fixes", where),
                retry=retry,
                retry_guidance=_check_text(
                    path, item.get("retry_guidance"), "retry_guidance", where
                ),
                entries=_check_entry_slugs(path, item.get("entries"), where, entry_slugs),
            )
        )

    known_codes = {c.code for c in codes}
    messages: list[KnownMessageData] = []
    for number, item in enumerate(raw_messages, 1):
        where = f"message {number}: "
        _check_mapping(path, item, MESSAGE_KEYS, where)
        text = _check_text(path, item.get("text"), "text", where, max_length=300)
        if "\n" in text:
            raise ContentError(path, f"{where}'text' must fit on one line")
        if any(m.text.lower() == text.lower() for m in messages):
            raise ContentError(path, f"{where}{text!r} is listed twice")
        code = item.get("code")
        if code is not None:
            code = _check_code(path, code, where)
            if code not in known_codes:
                raise ContentError(path, f"{where}code {code} is not in 'codes'")
        messages.append(
            KnownMessageData(
                text=text,
                code=code,
                entries=_check_entry_slugs(path, item.get("entries"), where, entry_slugs),
            )
        )
    return ErrorCodeContent(codes=codes, messages=messages)


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

    if content.error_codes is not None:
        report.error_codes = _load_error_codes(content.error_codes, prune)

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


def _set_entries(instance, slugs: tuple[str, ...], entries_by_slug: dict) -> bool:
    """Point a row's related entries at `slugs`; say whether that changed anything."""
    current = set(instance.entries.values_list("slug", flat=True))
    if current == set(slugs):
        return False
    instance.entries.set([entries_by_slug[slug] for slug in slugs])
    return True


def _upsert_linked(report, instance, values: dict, slugs, entries_by_slug, label: str):
    """Save a new or changed row and its related entries; note in the report what happened."""
    if instance._state.adding:  # not in the database yet
        _apply(instance, values)
        instance.save()
        _set_entries(instance, slugs, entries_by_slug)
        report.created.append(label)
        return instance
    changed = _apply(instance, values)
    if changed:
        instance.save()
    if _set_entries(instance, slugs, entries_by_slug) or changed:
        report.updated.append(label)
    else:
        report.unchanged += 1
    return instance


def _load_error_codes(content: ErrorCodeContent, prune: bool) -> LoadReport:
    """Upsert codes by number and messages by text, like entries by slug."""
    report = LoadReport()
    entries_by_slug = Entry.objects.in_bulk(field_name="slug")
    existing = {c.code: c for c in ErrorCode.objects.all()}
    for data in content.codes:
        values = {
            "name": data.name,
            "meaning": data.meaning,
            "causes": "\n".join(data.causes),
            "fixes": "\n".join(data.fixes),
            "retry": data.retry,
            "retry_guidance": data.retry_guidance,
        }
        existing[data.code] = _upsert_linked(
            report,
            existing.get(data.code) or ErrorCode(code=data.code),
            values,
            data.entries,
            entries_by_slug,
            f"code {data.code}",
        )

    messages = {m.text: m for m in KnownErrorMessage.objects.all()}
    for data in content.messages:
        _upsert_linked(
            report,
            messages.get(data.text) or KnownErrorMessage(text=data.text),
            {"error_code": existing[data.code] if data.code is not None else None},
            data.entries,
            entries_by_slug,
            f"message {data.text!r}",
        )

    if prune:
        file_texts = {m.text for m in content.messages}
        for message in KnownErrorMessage.objects.exclude(text__in=file_texts):
            report.deleted.append(f"message {message.text!r}")
            message.delete()
        file_codes = {c.code for c in content.codes}
        for error_code in ErrorCode.objects.exclude(code__in=file_codes):
            report.deleted.append(f"code {error_code.code}")
            error_code.delete()
    return report


@transaction.atomic
def load_error_codes(content_dir: Path) -> LoadReport:
    """Only the error codes and messages, for a database whose entries were loaded before
    error codes existed. The whole folder is still validated first."""
    content = read_content(content_dir)
    if content.error_codes is None:
        return LoadReport()
    return LoadReport(error_codes=_load_error_codes(content.error_codes, prune=False))


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
    (content_dir / ERROR_CODES_FILE).write_text(error_codes_file_text(), encoding="utf-8")
    return len(written)


def error_codes_file_text() -> str:
    codes = [
        {
            "code": c.code,
            "name": c.name,
            "meaning": c.meaning,
            "causes": c.cause_list,
            "fixes": c.fix_list,
            "retry": c.retry,
            "retry_guidance": c.retry_guidance,
            "entries": sorted(e.slug for e in c.entries.all()),
        }
        for c in ErrorCode.objects.prefetch_related("entries")
    ]
    # Sorted here, not by the database, so every database writes the same file.
    messages = [
        {
            "text": m.text,
            "code": m.error_code.code if m.error_code else None,
            "entries": sorted(e.slug for e in m.entries.all()),
        }
        for m in KnownErrorMessage.objects.select_related("error_code").prefetch_related("entries")
    ]
    return _dump_yaml({"codes": codes, "messages": messages})
