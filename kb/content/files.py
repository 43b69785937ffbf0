"""Reading and validating the FAQ's files in `faq_content/`.

    categories.yaml        a list of {slug, name, description, order, owner}: owner, optional,
                           is the username of the category's default owner
    entries/<slug>.md      one entry per file: YAML front matter, then the answer in Markdown
    synonyms.yaml          optional: a list of {terms: [...], note} groups for search

Everything is read and checked before the database is touched, and each problem raises
ContentError naming the file and what is wrong. The checks (`check_slug`, `check_text`...) are
shared with the other files of the folder (kb/tools/files.py reads error_codes.yaml).
Imports only kb.content.models.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from django.core.exceptions import ValidationError

from kb.content.models import ORDER_MAX, Entry, validate_slug_shape

CATEGORIES_FILE = "categories.yaml"
SYNONYMS_FILE = "synonyms.yaml"
ENTRIES_DIR = "entries"
ENTRY_KEYS = ("question", "category", "slug", "order", "status", "symptoms")
REQUIRED_ENTRY_KEYS = ("question", "category", "slug", "order", "symptoms")
CATEGORY_KEYS = ("slug", "name", "description", "order", "owner")
PROGRESS_EVERY = 100  # entry files between two reports of how far a read is


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
    owner: str = ""  # the default owner's username; empty: leave the admin's choice


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


def check_order(path: Path, value, where: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= ORDER_MAX:
        raise ContentError(
            path,
            f"{where}'order' must be a whole number from 0 to {ORDER_MAX:,}, not {value!r}"[:300],
        )
    return value


def check_slug(path: Path, value, where: str = "") -> str:
    # The same rule as the admin's (kb.content.models.validate_slug_shape).
    try:
        validate_slug_shape(value if isinstance(value, str) else "")
    except ValidationError:
        raise ContentError(
            path, f"{where}'slug' must be lower-case letters, digits and hyphens, not {value!r}"
        ) from None
    return value


def check_text(path: Path, value, key: str, where: str = "", max_length: int = 0) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContentError(path, f"{where}'{key}' must not be empty")
    if max_length and len(value) > max_length:
        raise ContentError(path, f"{where}'{key}' is longer than {max_length} characters")
    return value.strip()


def read_yaml(path: Path, required: bool = True):
    """The file's data; None for an optional file that is absent."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise ContentError(path, "the file is missing") from None
        return None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(path, f"not valid YAML: {exc}") from None
    except ValueError as exc:  # a number of thousands of digits, which Python refuses
        raise ContentError(path, f"not usable YAML: {exc}") from None


def check_mapping(path: Path, item, keys: tuple[str, ...], where: str) -> dict:
    if not isinstance(item, dict):
        raise ContentError(path, f"{where}must be a mapping of {', '.join(keys)}")
    if unknown := set(item) - set(keys):
        raise ContentError(path, f"{where}unknown keys {sorted(unknown)}")
    return item


def check_lines(path: Path, value, key: str, where: str, required: bool = True) -> tuple:
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


def read_categories(content_dir: Path) -> list[CategoryData]:
    path = content_dir / CATEGORIES_FILE
    raw = read_yaml(path)
    if not isinstance(raw, list) or not raw:
        raise ContentError(path, "must be a list of categories")
    categories, seen = [], set()
    for number, item in enumerate(raw, 1):
        where = f"category {number}: "
        check_mapping(path, item, CATEGORY_KEYS, where)
        slug = check_slug(path, item.get("slug"), where)
        if slug in seen:
            raise ContentError(path, f"{where}duplicate slug {slug!r}")
        seen.add(slug)
        description = item.get("description") or ""
        if not isinstance(description, str):
            raise ContentError(path, f"{where}'description' must be text")
        owner = item.get("owner") or ""
        if not isinstance(owner, str) or len(owner) > 150 or any(c.isspace() for c in owner):
            raise ContentError(path, f"{where}'owner' must be a username, like jsmith")
        categories.append(
            CategoryData(
                slug=slug,
                name=check_text(path, item.get("name"), "name", where, max_length=100),
                description=description.strip(),
                order=check_order(path, item.get("order", number), where),
                owner=owner,
            )
        )
    return categories


def read_synonyms(content_dir: Path) -> list[SynonymData]:
    path = content_dir / SYNONYMS_FILE
    raw = read_yaml(path, required=False) or []
    if not isinstance(raw, list):
        raise ContentError(path, "must be a list of synonym groups")
    synonyms, seen = [], set()
    for number, item in enumerate(raw, 1):
        where = f"group {number}: "
        check_mapping(path, item, ("terms", "note"), where)
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
    except ValueError as exc:  # a number of thousands of digits, which Python refuses
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
        slug=check_slug(path, meta["slug"]),
        question=check_text(path, meta["question"], "question", max_length=300),
        category=category,
        order=check_order(path, meta["order"]),
        status=status,
        symptoms=tuple(str(s).strip() for s in symptoms),
        answer=check_text(path, post.content, "answer (the text after the front matter)"),
    )


def read_content(
    content_dir: Path, progress: Callable[[str, int, int], None] | None = None
) -> Content:
    """Every file of the folder, read and checked; `progress` is told ("files", done, total)
    every PROGRESS_EVERY entry files."""
    content_dir = Path(content_dir)
    categories = read_categories(content_dir)
    category_slugs = {c.slug for c in categories}
    entries_dir = content_dir / ENTRIES_DIR
    if not entries_dir.is_dir():
        raise ContentError(entries_dir, "the entries folder is missing")
    entries, paths_by_slug = [], {}
    paths = sorted(entries_dir.glob("*.md"))
    for number, path in enumerate(paths):
        if progress and number % PROGRESS_EVERY == 0:
            progress("files", number, len(paths))
        entry = read_entry(path, category_slugs)
        if entry.slug in paths_by_slug:
            raise ContentError(
                path, f"duplicate slug {entry.slug!r}, also used by {paths_by_slug[entry.slug]}"
            )
        paths_by_slug[entry.slug] = path.name
        entries.append(entry)
    if progress:
        progress("files", len(paths), len(paths))
    return Content(
        categories=categories,
        entries=entries,
        synonyms=read_synonyms(content_dir),
    )
