"""Reading what people type about time: timezones, instants and durations.

Pure functions, like every calculation of the tools: nothing here touches the database, the
request or the clock. Bad input raises ToolInputError with a message written for the person
who typed it. Imports nothing of the project's.
"""

import email.utils
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.utils.timesince import timesince
from django.utils.translation import ngettext


class ToolInputError(ValueError):
    """Input that cannot be used; the message says why, in words for the reader."""


# --- Timezones ---------------------------------------------------------------------------------


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA zone name tzdata knows, sorted, for the timezone field's suggestions."""
    return tuple(sorted(available_timezones()))


@cache
def _zone_names_by_lower_case() -> dict[str, str]:
    return {name.lower(): name for name in timezone_names()}


def canonical_timezone(name: str) -> str:
    """The IANA spelling of `name` ("europe/paris" gives "Europe/Paris"), or ToolInputError."""
    cleaned = name.strip()
    # Only names from the list are accepted: ZoneInfo() itself would also try file paths.
    found = _zone_names_by_lower_case().get(cleaned.lower())
    if found is None:
        raise ToolInputError(
            f"“{cleaned[:60]}” is not a timezone we know. Use an IANA name such as "
            "Europe/London, America/New_York or UTC."
        )
    return found


# --- Instants and durations --------------------------------------------------------------------

# Unix seconds reach 10^11 only in the year 5138, so a bigger number is milliseconds.
MILLISECONDS_FROM = 10**11
UNIX_RE = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$")
EARLIEST_ISSUE = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_ISSUE = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ParsedInstant:
    instant: datetime  # aware, in UTC, whole seconds
    note: str = ""  # how the input was read, when that is worth saying


def utc_seconds(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(microsecond=0)


def parse_unix_time(text: str) -> ParsedInstant:
    """Unix seconds, or milliseconds (recognised by their size, and said so)."""
    if text.startswith("-"):
        raise ToolInputError("Unix time cannot be negative: count the seconds since 1970.")
    value = float(text)
    if value >= 10**14:
        raise ToolInputError(
            f"{text[:20]} is too large for Unix time, even in milliseconds: "
            "expect about 10 digits for seconds or 13 for milliseconds."
        )
    note = ""
    if value >= MILLISECONDS_FROM:
        value /= 1000
        note = f"{text} is too large for seconds, so it was read as milliseconds."
    instant = datetime.fromtimestamp(math.floor(value), tz=UTC)
    return ParsedInstant(instant, note)


def format_offset(offset: timedelta) -> str:
    """A UTC offset as ISO 8601 writes it: +01:00, -04:00, +05:30."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _check_local_time(naive: datetime, zone: ZoneInfo, zone_name: str) -> datetime:
    """Attach `zone`, refusing local times that a DST change skips or repeats."""
    aware = naive.replace(tzinfo=zone)
    before, after = aware.replace(fold=0).utcoffset(), aware.replace(fold=1).utcoffset()
    offsets = f"{format_offset(before)} or {format_offset(after)}"
    when = f"{naive:%H:%M} on {naive:%-d %B %Y}"
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ToolInputError(
            f"{when} does not exist in {zone_name}: the clocks jumped forward over it. "
            f"Add the UTC offset you meant: {offsets}."
        )
    if before != after:
        raise ToolInputError(
            f"{when} happened twice in {zone_name}: the clocks went back. "
            f"Add the UTC offset you meant: {offsets}."
        )
    return aware


def parse_issued_at(text: str, zone_name: str = "UTC") -> ParsedInstant:
    """When a token was issued: ISO 8601, an HTTP date, or Unix seconds or milliseconds.

    A date-time without an offset is read in `zone_name`, and the note says so.
    """
    text = text.strip()
    if not text:
        raise ToolInputError("Enter when the token was issued.")
    try:
        parsed = parse_unix_time(text) if UNIX_RE.match(text) else _parse_date(text, zone_name)
    except OverflowError:
        raise ToolInputError(
            "That date is out of range: enter when the token was issued, "
            "between the years 2000 and 2099."
        ) from None
    if not EARLIEST_ISSUE <= parsed.instant < LATEST_ISSUE:
        read = f"That is {parsed.instant:%-d %B %Y}"
        raise ToolInputError(
            f"{read}: enter when the token was issued, between the years 2000 and 2099."
        )
    return parsed


def http_date(text: str) -> datetime | None:
    """An HTTP date ("Tue, 04 Mar 2025 10:00:00 GMT") as an aware datetime, or None."""
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _parse_date(text: str, zone_name: str) -> ParsedInstant:
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        # The Date header of a response, pasted as is: "Tue, 04 Mar 2025 10:00:00 GMT".
        value = http_date(text)
        if value is None:
            raise ToolInputError(
                f"“{text[:60]}” is not a date-time we can read. Use ISO 8601 with an offset, "
                "like 2025-03-04T10:00:00Z or 2025-03-04 11:00+01:00, or Unix seconds."
            ) from None
    if value.tzinfo is not None:
        return ParsedInstant(utc_seconds(value))
    zone = ZoneInfo(zone_name)
    aware = _check_local_time(value, zone, zone_name)
    return ParsedInstant(
        utc_seconds(aware), f"No offset was given, so it was read as {zone_name} time."
    )


def describe_duration(seconds: int) -> str:
    """A duration in plain words: "45 seconds", "1 hour, 20 minutes", "3 days, 2 hours"."""
    seconds = abs(int(seconds))
    if seconds < 60:
        return ngettext("%d second", "%d seconds", seconds) % seconds
    start = datetime(2000, 1, 1, tzinfo=UTC)
    # Django's own wording, with ordinary spaces: the result also goes into JSON.
    return timesince(start, start + timedelta(seconds=seconds), depth=2).replace("\xa0", " ")
