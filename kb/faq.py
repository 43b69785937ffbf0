"""The `faq_content/` folder as a whole: each concern reads, loads and exports its own files
(kb.content: categories, entries, synonyms; kb.tools: error_codes.yaml); this module runs them
together, so `load_faq` and `export_faq` treat the folder as one.

Every file is read and validated before the database is touched, and loading runs in one
transaction, so a malformed file stops the import and leaves the database as it was.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from kb.content.files import Content, read_content
from kb.content.loading import LoadReport, export_content, load_content
from kb.tools.files import (
    ErrorCodeContent,
    export_error_codes,
    load_error_codes,
    read_error_codes,
)


@dataclass
class FaqFiles:
    content: Content
    # None when the folder has no error_codes.yaml: the database's codes are then left alone.
    error_codes: ErrorCodeContent | None


def read_faq(
    content_dir: Path, progress: Callable[[str, int, int], None] | None = None
) -> FaqFiles:
    content = read_content(Path(content_dir), progress)
    entry_slugs = {entry.slug for entry in content.entries}
    return FaqFiles(content, read_error_codes(Path(content_dir), entry_slugs))


@transaction.atomic
def load_faq(
    content_dir: Path,
    prune: bool = False,
    overwrite: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> LoadReport:
    """Upsert everything in the folder; `prune` deletes what the files no longer have.
    `progress(stage, done, total)` is told how far it is: "files" as the entry files are read,
    then "saved" as the entries are.

    Raises ChangedInAdmin, changing nothing, when that would replace or delete an entry an
    engineer changed in the admin since the files last saw it, unless `overwrite`."""
    files = read_faq(content_dir, progress)
    report = load_content(files.content, prune, overwrite, progress)
    if files.error_codes is not None:
        report.error_codes = load_error_codes(files.error_codes, prune)
    return report


@transaction.atomic
def load_faq_error_codes(content_dir: Path) -> LoadReport:
    """Only the error codes and messages, for a database whose entries were loaded before
    error codes existed. The whole folder is still validated first."""
    files = read_faq(content_dir)
    if files.error_codes is None:
        return LoadReport()
    return LoadReport(error_codes=load_error_codes(files.error_codes))


def export_faq(content_dir: Path) -> int:
    """Write every category, entry (drafts too), synonym and error code back as files;
    returns the entry count. Export then `load_faq --prune` reproduces the database."""
    count = export_content(Path(content_dir))
    export_error_codes(Path(content_dir))
    return count
