"""The tools' calculations: pure functions of their input and the current time.

Nothing here touches the database, the request or the clock: callers pass `now`, so every
answer can be tested at any instant (a DST change, 4:59pm on a Friday, the 20th of December).
Bad input raises ToolInputError with a message written for the person who typed it.
"""

import email.utils
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.utils.timesince import timesince


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
UNIX_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
EARLIEST_ISSUE = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_ISSUE = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ParsedInstant:
    instant: datetime  # aware, in UTC, whole seconds
    note: str = ""  # how the input was read, when that is worth saying


def _utc_seconds(instant: datetime) -> datetime:
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
        return ParsedInstant(_utc_seconds(value))
    zone = ZoneInfo(zone_name)
    aware = _check_local_time(value, zone, zone_name)
    return ParsedInstant(
        _utc_seconds(aware), f"No offset was given, so it was read as {zone_name} time."
    )


def describe_duration(seconds: int) -> str:
    """A duration in plain words: "45 seconds", "1 hour, 20 minutes", "3 days, 2 hours"."""
    seconds = abs(int(seconds))
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    start = datetime(2000, 1, 1, tzinfo=UTC)
    # Django's own wording, with ordinary spaces: the result also goes into JSON.
    return timesince(start, start + timedelta(seconds=seconds), depth=2).replace("\xa0", " ")


# --- Token expiry ------------------------------------------------------------------------------

# An access token that lives longer than a week is a mistake in the input, not a token.
MAX_LIFETIME = 7 * 24 * 3600
TOKEN_FIELDS = ("access_token", "token_type", "expires_in", "refresh_token", "created_at")


def check_lifetime(value, where: str = "expires_in") -> int:
    """A token lifetime in whole seconds, from 1 second to a week."""
    if isinstance(value, str) and (digits := re.fullmatch(r"\s*(-?)(\d+)\s*", value)):
        if len(digits[2]) > 15:
            # Python refuses to convert thousands of digits; 16 are too many anyway.
            raise ToolInputError(f"{where} is far too large: access tokens last hours.")
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ToolInputError(f"{where} must be a whole number of seconds, like 7200.")
    if value < 1:
        raise ToolInputError(f"{where} must be at least 1 second, not {value}.")
    if value > MAX_LIFETIME:
        raise ToolInputError(
            f"{where} of {value:,} seconds is more than a week: access tokens last hours "
            "(7200 seconds is 2 hours)."
        )
    return value


@dataclass(frozen=True)
class TokenResponse:
    created_at: ParsedInstant | None
    expires_in: int | None
    token_type: str = ""


def parse_token_response(text: str) -> TokenResponse:
    """The JSON an /oauth/token call returns; created_at and expires_in are what count."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolInputError(
            f"This is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}). "
            "Paste the whole response body, from { to }."
        ) from None
    except (ValueError, RecursionError):
        # A number with thousands of digits, or thousands of nested brackets.
        raise ToolInputError("This JSON is too deeply nested or has too long a number.") from None
    if not isinstance(data, dict):
        raise ToolInputError(
            'Paste the whole token response: a JSON object like {"access_token": "…", '
            '"expires_in": 7200, "created_at": 1741082400}.'
        )
    if not set(data) & set(TOKEN_FIELDS):
        raise ToolInputError(
            f"This JSON is not a token response: it has none of {', '.join(TOKEN_FIELDS)}."
        )
    expires_in = None
    if data.get("expires_in") is not None:
        expires_in = check_lifetime(data["expires_in"], "The response's expires_in")
    created_at = None
    raw_created = data.get("created_at")
    if raw_created is not None:
        if isinstance(raw_created, bool) or not isinstance(raw_created, int | float | str):
            raise ToolInputError("The response's created_at must be Unix seconds.")
        try:
            created_at = parse_issued_at(str(raw_created))
        except ToolInputError as exc:
            raise ToolInputError(f"The response's created_at: {exc}") from None
    token_type = data.get("token_type")
    return TokenResponse(created_at, expires_in, token_type if isinstance(token_type, str) else "")


@dataclass(frozen=True)
class TokenExpiry:
    issued_at: datetime
    expires_in: int
    expires_at: datetime
    now: datetime
    seconds_left: int  # negative once expired: how long ago it expired

    @property
    def expired(self) -> bool:
        return self.seconds_left <= 0

    @property
    def duration_in_words(self) -> str:
        """How long until it expires, or since it did."""
        return describe_duration(self.seconds_left)

    @property
    def in_words(self) -> str:
        if self.seconds_left == 0:
            return "expired just now"
        duration = self.duration_in_words
        return f"expired {duration} ago" if self.expired else f"{duration} left"

    @property
    def lifetime_in_words(self) -> str:
        return describe_duration(self.expires_in)


def token_expiry(issued_at: datetime, expires_in: int, now: datetime) -> TokenExpiry:
    issued_at = _utc_seconds(issued_at)
    now = _utc_seconds(now)
    expires_at = issued_at + timedelta(seconds=expires_in)
    seconds_left = int((expires_at - now).total_seconds())
    return TokenExpiry(issued_at, expires_in, expires_at, now, seconds_left)


@dataclass(frozen=True)
class NextStep:
    text: str
    entry_slug: str  # the FAQ entry that says it


def token_next_steps(expiry: TokenExpiry) -> list[NextStep]:
    """What to do next, each step tied to the FAQ entry it comes from."""
    if expiry.expired:
        first = NextStep(
            "This access token no longer works: calls with it fail with 401. Refresh it now "
            "(POST /oauth/token with grant_type=refresh_token) and use the new one.",
            "access-token-not-working",
        )
    else:
        first = NextStep(
            "Refresh it before it expires: POST /oauth/token with grant_type=refresh_token, "
            "a little ahead of the expiry time, rather than waiting for a 401.",
            "access-token-lifetime",
        )
    return [
        first,
        NextStep(
            "The refresh token is single-use and lasts until it is used: it does not expire "
            "with the access token.",
            "refresh-token-lifetime",
        ),
        NextStep(
            "Any refresh call, successful or not, invalidates the refresh token. Store the new "
            "access and refresh tokens from every response before doing anything else, and "
            "never send the same refresh call twice.",
            "refresh-token-invalid",
        ),
        NextStep(
            "Revoking the access token (POST /oauth/revoke) revokes its refresh token too: "
            "the user must authorize your app again.",
            "refresh-token-invalid",
        ),
    ]


# --- Raw HTTP responses and rate-limit headers -------------------------------------------------

STATUS_LINE_RE = re.compile(r"^HTTP/(\d(?:\.\d)?)\s+(\d{3})\b\s*(.*)$", re.IGNORECASE)
HEADER_RE = re.compile(r"^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*:\s*(.*)$")


@dataclass(frozen=True)
class HttpResponseInfo:
    status: int
    reason: str
    http_version: str
    headers: dict[str, str]  # keys in lower case; the first value of each header
    body: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def _response_lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # `curl -v` prefixes the response with "< " and the request with "> ": keep the response.
    if any(line.startswith("< HTTP/") for line in lines):
        lines = [line[2:] if line.startswith("< ") else "" for line in lines if line[:1] in "<"]
    return [line.strip() for line in lines]


def parse_http_response(text: str) -> HttpResponseInfo | None:
    """The status, headers and body of a pasted response; None when there is no status line.

    A line that starts with HTTP/ but carries no three-digit status is an error, not "no
    response": the reader clearly meant to paste one.
    """
    lines = _response_lines(text)
    start = None
    for number, line in enumerate(lines):
        if line.upper().startswith("HTTP/"):
            if not STATUS_LINE_RE.match(line):
                raise ToolInputError(
                    f"“{line[:60]}” looks like a status line but has no three-digit status "
                    "code. It should read like HTTP/1.1 429 Too Many Requests."
                )
            start = number
            break
    if start is None:
        return None
    version, status, reason = STATUS_LINE_RE.match(lines[start]).groups()
    headers: dict[str, str] = {}
    body_from = len(lines)
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if not line:
            body_from = number + 1
            break
        if match := HEADER_RE.match(line):
            headers.setdefault(match[1].lower(), match[2].strip())
        else:
            # Not a header: the paste went straight on to the body.
            body_from = number
            break
    body = "\n".join(lines[body_from:]).strip()
    return HttpResponseInfo(int(status), reason.strip(), version, headers, body)


RATE_LIMIT_HEADERS = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")


@dataclass(frozen=True)
class RateLimitInfo:
    limit: int | None
    remaining: int | None
    reset_at: datetime | None
    retry_after: int | None  # seconds, when Retry-After gave seconds
    retry_at: datetime | None  # when the caller may send again; None when nothing says
    basis: str  # which header retry_at comes from, in words
    now: datetime
    problems: list[str] = field(default_factory=list)

    @property
    def may_retry_now(self) -> bool:
        return self.retry_at is None or self.retry_at <= self.now

    @property
    def wait_in_words(self) -> str:
        if self.retry_at is None:
            return ""
        return describe_duration((self.retry_at - self.now).total_seconds())


def _header_int(response: HttpResponseInfo, name: str, problems: list[str]) -> int | None:
    raw = response.header(name)
    if raw is None:
        return None
    if re.fullmatch(r"\d{1,15}", raw):
        return int(raw)
    problems.append(f"{name}: “{raw[:40]}” is not a whole number, so it was ignored.")
    return None


def read_rate_limit(response: HttpResponseInfo, now: datetime) -> RateLimitInfo | None:
    """The rate-limit headers of a response and when its sender may retry; None without any.

    Retry-After wins over X-Rate-Limit-Reset when both are present. Retry-After in seconds
    counts from the response's Date header when there is one, else from now.
    """
    names = (*RATE_LIMIT_HEADERS, "Retry-After")
    if not any(response.header(name) is not None for name in names):
        return None
    now = _utc_seconds(now)
    problems: list[str] = []
    limit = _header_int(response, "X-Rate-Limit-Limit", problems)
    remaining = _header_int(response, "X-Rate-Limit-Remaining", problems)
    reset_at = None
    if (reset := _header_int(response, "X-Rate-Limit-Reset", problems)) is not None:
        try:
            reset_at = parse_unix_time(str(reset)).instant
        except ToolInputError as exc:
            problems.append(f"X-Rate-Limit-Reset: {exc}")

    retry_after, retry_at, basis = None, None, ""
    raw_retry = response.header("Retry-After")
    if raw_retry is not None:
        if re.fullmatch(r"\d{1,9}", raw_retry):
            retry_after = int(raw_retry)
            sent_at = _response_date(response)
            if sent_at is not None:
                retry_at = sent_at + timedelta(seconds=retry_after)
                basis = f"Retry-After: {retry_after} seconds after the response's Date header"
            else:
                retry_at = now + timedelta(seconds=retry_after)
                basis = f"Retry-After: {retry_after} seconds from now (the paste has no Date)"
        elif (retry_date := http_date(raw_retry)) is not None:
            retry_at = _utc_seconds(retry_date)
            basis = "Retry-After, which gives the date"
        else:
            problems.append(
                f"Retry-After: “{raw_retry[:40]}” is neither seconds nor a date, so it was ignored."
            )
    if retry_at is None and reset_at is not None:
        retry_at, basis = reset_at, "X-Rate-Limit-Reset, when the window resets"
    return RateLimitInfo(limit, remaining, reset_at, retry_after, retry_at, basis, now, problems)


def _response_date(response: HttpResponseInfo) -> datetime | None:
    value = http_date(response.header("Date") or "")
    return None if value is None else _utc_seconds(value)


# --- Error-code lookup input -------------------------------------------------------------------

CODE_RE = re.compile(r"^\d+$")
LEADING_CODE_RE = re.compile(r"^([1-5]\d\d)\b(?!\.\d)")
# A fragment shorter than this is too vague to match part of a known message as you type.
MIN_PARTIAL_MESSAGE = 8


@dataclass(frozen=True)
class LookupQuery:
    text: str
    code: int | None  # the status code the input names, if any
    response: HttpResponseInfo | None  # when a raw response was pasted

    @property
    def kind(self) -> str:
        if self.response is not None:
            return "response"
        return "code" if CODE_RE.match(self.text) else "text"


def parse_status_code(text: str) -> int:
    """A three-digit HTTP status code, or a ToolInputError that says what is wrong."""
    text = text.strip()
    if len(text) != 3 or not CODE_RE.match(text) or not 100 <= int(text) <= 599:
        raise ToolInputError(
            f"“{text[:20]}” is not an HTTP status code: status codes have three digits, "
            "from 100 to 599, like 429."
        )
    return int(text)


def parse_lookup_query(text: str) -> LookupQuery:
    """Read a status code, a pasted raw response, or a pasted message."""
    text = text.strip()
    if CODE_RE.match(text):
        return LookupQuery(text, parse_status_code(text), None)
    response = parse_http_response(text)
    if response is not None:
        return LookupQuery(text, response.status, response)
    # "403 Forbidden", "429 Too Many Requests": a code followed by its name.
    leading = LEADING_CODE_RE.match(text)
    return LookupQuery(text, int(leading[1]) if leading else None, None)


def normalize_message(text: str) -> str:
    """Lower case, letters and digits only: quotes, "!" and snake_case do not matter."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def message_matches(known: str, pasted: str) -> bool:
    """Whether a pasted text contains a known message, or is a long enough part of one."""
    known, pasted = normalize_message(known), normalize_message(pasted)
    if not known or not pasted:
        return False
    if f" {known} " in f" {pasted} ":
        return True
    return len(pasted) >= MIN_PARTIAL_MESSAGE and pasted in known


def nearest_codes(code: int, known, count: int = 3) -> list[int]:
    """The known codes closest to `code`, those of its class (4xx, 5xx) first."""
    return sorted(known, key=lambda other: (other // 100 != code // 100, abs(other - code), other))[
        :count
    ]


# --- Monthly sandbox restore and support hours -------------------------------------------------

PACIFIC = ZoneInfo("America/Los_Angeles")
RESTORE_DAY = 2  # the monthly sandbox is restored on or about the 2nd
CHANGES_BY_DAY = 20  # production changes made by the 20th are in the next restore


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


@dataclass(frozen=True)
class SandboxRestore:
    today: date  # in Pacific Time
    next_restore: date
    changes_restore: date  # the restore that will hold production changes made today
    changes_by: date  # the last day for changes to make it into changes_restore

    @property
    def restore_is_today(self) -> bool:
        return self.next_restore == self.today

    @property
    def changes_in_next_restore(self) -> bool:
        return self.changes_restore == self.next_restore


def next_sandbox_restore(now: datetime) -> SandboxRestore:
    """The next monthly sandbox restore, and which restore picks up changes made today."""
    today = now.astimezone(PACIFIC).date()
    this_month = today.replace(day=RESTORE_DAY)
    next_restore = this_month if today <= this_month else _add_months(this_month, 1)
    changes_restore = next_restore
    changes_by = _add_months(next_restore, -1).replace(day=CHANGES_BY_DAY)
    if today > changes_by:
        changes_restore = _add_months(next_restore, 1)
        changes_by = next_restore.replace(day=CHANGES_BY_DAY)
    return SandboxRestore(today, next_restore, changes_restore, changes_by)


SUPPORT_OPENS = time(8)
SUPPORT_CLOSES = time(17)
SUPPORT_WEEKDAYS = range(0, 5)  # Monday to Friday


@dataclass(frozen=True)
class SupportStatus:
    is_open: bool
    now: datetime
    changes_at: datetime  # when it closes if open, when it next opens if closed (Pacific)

    @property
    def changes_in_words(self) -> str:
        return describe_duration((self.changes_at - self.now).total_seconds())

    @property
    def hours(self) -> tuple[datetime, datetime]:
        """Opening and closing time of the working day in question: today's, or the next."""
        day = self.changes_at.date()
        return (
            datetime.combine(day, SUPPORT_OPENS, tzinfo=PACIFIC),
            datetime.combine(day, SUPPORT_CLOSES, tzinfo=PACIFIC),
        )


def support_status(now: datetime) -> SupportStatus:
    """Whether API support is open (Monday to Friday, 8am to 5pm Pacific) and until when."""
    local = now.astimezone(PACIFIC)
    working_day = local.weekday() in SUPPORT_WEEKDAYS
    if working_day and SUPPORT_OPENS <= local.time() < SUPPORT_CLOSES:
        closes = datetime.combine(local.date(), SUPPORT_CLOSES, tzinfo=PACIFIC)
        return SupportStatus(True, now, closes)
    day = local.date()
    if not (working_day and local.time() < SUPPORT_OPENS):
        day += timedelta(days=1)
    while day.weekday() not in SUPPORT_WEEKDAYS:
        day += timedelta(days=1)
    return SupportStatus(False, now, datetime.combine(day, SUPPORT_OPENS, tzinfo=PACIFIC))
