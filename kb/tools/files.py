"""error_codes.yaml: the error-code lookup's codes and known messages, as files.

Read and checked like the rest of `faq_content/` (with kb.content.files' checks), upserted
by code number and message text, and written back by export. Imports kb.content and the
tools' models.
"""

from dataclasses import dataclass
from pathlib import Path

from kb.content.files import ContentError, check_lines, check_mapping, check_text, read_yaml
from kb.content.loading import LoadReport, delete_rows, dump_yaml, save_changes
from kb.content.models import Entry
from kb.tools.models import ErrorCode, KnownErrorMessage


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
    meaning: str  # may be empty
    entries: tuple[str, ...]


@dataclass
class ErrorCodeContent:
    codes: list[ErrorCodeData]
    messages: list[KnownMessageData]


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
MESSAGE_KEYS = ("text", "code", "meaning", "entries")


def _check_entry_slugs(path: Path, value, where: str, entry_slugs: set[str]) -> tuple:
    slugs = check_lines(path, value, "entries", where, required=False)
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
    raw_codes, raw_messages = _read_lists(path)
    codes: list[ErrorCodeData] = []
    for number, item in enumerate(raw_codes, 1):
        codes.append(_read_code(path, item, f"code {number}: ", codes, entry_slugs))
    known_codes = {c.code for c in codes}
    messages: list[KnownMessageData] = []
    for number, item in enumerate(raw_messages, 1):
        where = f"message {number}: "
        messages.append(_read_message(path, item, where, messages, known_codes, entry_slugs))
    return ErrorCodeContent(codes=codes, messages=messages)


def _read_lists(path: Path) -> tuple[list, list]:
    """The file's two lists, codes and messages, as they are written."""
    raw = read_yaml(path)
    if not isinstance(raw, dict) or set(raw) - {"codes", "messages"} or "codes" not in raw:
        raise ContentError(path, "must be a mapping with 'codes' and 'messages' lists")
    raw_codes, raw_messages = raw.get("codes") or [], raw.get("messages") or []
    if not isinstance(raw_codes, list) or not isinstance(raw_messages, list):
        raise ContentError(path, "'codes' and 'messages' must be lists")
    return raw_codes, raw_messages


def _read_code(
    path: Path, item, where: str, before: list[ErrorCodeData], entry_slugs: set[str]
) -> ErrorCodeData:
    check_mapping(path, item, ERROR_CODE_KEYS, where)
    code = _check_code(path, item.get("code"), where)
    where = f"code {code}: "
    if any(c.code == code for c in before):
        raise ContentError(path, f"{where}listed twice")
    retry = item.get("retry")
    if retry not in ErrorCode.Retry.values:
        raise ContentError(
            path, f"{where}'retry' must be one of {ErrorCode.Retry.values}, not {retry!r}"
        )
    return ErrorCodeData(
        code=code,
        name=check_text(path, item.get("name"), "name", where, max_length=100),
        meaning=check_text(path, item.get("meaning"), "meaning", where),
        causes=check_lines(path, item.get("causes"), "causes", where),
        fixes=check_lines(path, item.get("fixes"), "fixes", where),
        retry=retry,
        retry_guidance=check_text(path, item.get("retry_guidance"), "retry_guidance", where),
        entries=_check_entry_slugs(path, item.get("entries"), where, entry_slugs),
    )


def _read_message(
    path: Path,
    item,
    where: str,
    before: list[KnownMessageData],
    known_codes: set[int],
    entry_slugs: set[str],
) -> KnownMessageData:
    check_mapping(path, item, MESSAGE_KEYS, where)
    text = check_text(path, item.get("text"), "text", where, max_length=300)
    if "\n" in text:
        raise ContentError(path, f"{where}'text' must fit on one line")
    if any(m.text.lower() == text.lower() for m in before):
        raise ContentError(path, f"{where}{text!r} is listed twice")
    code = item.get("code")
    if code is not None:
        code = _check_code(path, code, where)
        if code not in known_codes:
            raise ContentError(path, f"{where}code {code} is not in 'codes'")
    meaning = item.get("meaning")
    return KnownMessageData(
        text=text,
        code=code,
        meaning="" if meaning is None else check_text(path, meaning, "meaning", where),
        entries=_check_entry_slugs(path, item.get("entries"), where, entry_slugs),
    )


def _set_entries(instance, slugs: tuple[str, ...], entries_by_slug: dict) -> bool:
    """Point a row's related entries at `slugs`; say whether that changed anything."""
    current = set(instance.entries.values_list("slug", flat=True))
    if current == set(slugs):
        return False
    instance.entries.set([entries_by_slug[slug] for slug in slugs])
    return True


def _upsert_linked(report, instance, values: dict, slugs, entries_by_slug, label: str):
    """Save a new or changed row and its related entries; note in the report what happened."""
    return save_changes(
        report, instance, values, label, lambda row: _set_entries(row, slugs, entries_by_slug)
    )


def load_error_codes(content: ErrorCodeContent, prune: bool = False) -> LoadReport:
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
            {
                "error_code": existing[data.code] if data.code is not None else None,
                "meaning": data.meaning,
            },
            data.entries,
            entries_by_slug,
            f"message {data.text!r}",
        )

    if prune:
        file_texts = {m.text for m in content.messages}
        missing_messages = KnownErrorMessage.objects.exclude(text__in=file_texts)
        delete_rows(report, missing_messages, lambda message: f"message {message.text!r}")
        file_codes = {c.code for c in content.codes}
        missing_codes = ErrorCode.objects.exclude(code__in=file_codes)
        delete_rows(report, missing_codes, lambda error_code: f"code {error_code.code}")
    return report


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
            **({"meaning": m.meaning} if m.meaning else {}),
            "entries": sorted(e.slug for e in m.entries.all()),
        }
        for m in KnownErrorMessage.objects.select_related("error_code").prefetch_related("entries")
    ]
    return dump_yaml({"codes": codes, "messages": messages})


def export_error_codes(content_dir: Path) -> None:
    (Path(content_dir) / ERROR_CODES_FILE).write_text(error_codes_file_text(), encoding="utf-8")
