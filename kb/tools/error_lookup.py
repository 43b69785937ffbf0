"""The error-code lookup's reading of its input: status codes, pasted raw responses and
their rate-limit headers, and known messages matched whatever their case and punctuation.

Pure functions of their input and `now`; the database side is in kb/tools/models.py.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kb.tools.instants import (
    ToolInputError,
    describe_duration,
    http_date,
    parse_unix_time,
    utc_seconds,
)

# --- Raw HTTP responses and rate-limit headers -------------------------------------------------

STATUS_LINE_RE = re.compile(r"^HTTP/([0-9](?:\.[0-9])?)\s+([0-9]{3})\b\s*(.*)$", re.IGNORECASE)
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

    @property
    def reset_passed(self) -> bool:
        """Whether X-Rate-Limit-Reset is already behind us: the window it reported is over,
        so its Remaining no longer says anything (an old paste, or clocks that differ)."""
        return self.reset_at is not None and self.reset_at <= self.now

    @property
    def reset_in_words(self) -> str:
        """How long until the window resets, or since it did."""
        if self.reset_at is None:
            return ""
        return describe_duration((self.reset_at - self.now).total_seconds())


def _header_int(response: HttpResponseInfo, name: str, problems: list[str]) -> int | None:
    raw = response.header(name)
    if raw is None:
        return None
    if re.fullmatch(r"[0-9]{1,15}", raw):
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
    now = utc_seconds(now)
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
        if re.fullmatch(r"[0-9]{1,9}", raw_retry):
            retry_after = int(raw_retry)
            sent_at = _response_date(response)
            if sent_at is not None:
                retry_at = sent_at + timedelta(seconds=retry_after)
                basis = f"Retry-After: {retry_after} seconds after the response's Date header"
            else:
                retry_at = now + timedelta(seconds=retry_after)
                basis = f"Retry-After: {retry_after} seconds from now (the paste has no Date)"
        elif (retry_date := http_date(raw_retry)) is not None:
            retry_at = utc_seconds(retry_date)
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
    return None if value is None else utc_seconds(value)


# --- Error-code lookup input -------------------------------------------------------------------

CODE_RE = re.compile(r"^[0-9]+$")
LEADING_CODE_RE = re.compile(r"^([1-5][0-9][0-9])\b(?!\.[0-9])")
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


# A status code standing alone in a sentence or a paste: "returns 401", {"status":403}. Not part
# of a longer number, a version (1.1) or a decimal.
STANDALONE_CODE_RE = re.compile(r"(?<![0-9.])[1-5][0-9][0-9](?![0-9.])")


def status_codes_in(text: str) -> list[int]:
    """The status codes a text names, the likeliest first: a typed code, a pasted response's
    status line or a code before its name ("403 Forbidden"), then any code standing alone."""
    try:
        named = parse_lookup_query(text).code
    except ToolInputError:
        named = None
    found = [int(match[0]) for match in STANDALONE_CODE_RE.finditer(text)]
    return list(dict.fromkeys(([named] if named is not None else []) + found))


def normalize_message(text: str) -> str:
    """Lower case, letters and digits only: quotes, "!" and snake_case do not matter."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def message_matches(known: str, pasted: str, partial: bool = True) -> bool:
    """Whether a pasted text contains a known message, or (`partial`) is a long enough part
    of one, as a message typed into the lookup is."""
    known, pasted = normalize_message(known), normalize_message(pasted)
    if not known or not pasted:
        return False
    if f" {known} " in f" {pasted} ":
        return True
    return partial and len(pasted) >= MIN_PARTIAL_MESSAGE and pasted in known


def nearest_codes(code: int, known, count: int = 3) -> list[int]:
    """The known codes closest to `code`, those of its class (4xx, 5xx) first."""
    return sorted(known, key=lambda other: (other // 100 != code // 100, abs(other - code), other))[
        :count
    ]
