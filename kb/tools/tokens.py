"""The token-expiry calculator's calculation: when an access token expires, and what to do.

Callers pass `now`, so every answer can be tested at any instant.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from kb.tools.instants import (
    ParsedInstant,
    ToolInputError,
    describe_duration,
    parse_issued_at,
    utc_seconds,
)

# An access token that lives longer than a week is a mistake in the input, not a token.
MAX_LIFETIME = 7 * 24 * 3600
# How far ahead of our clock an issue time may be and still be taken as "just now": two
# machines' clocks commonly differ by seconds, rarely by minutes. Beyond it, a token issued in
# the future is a mistyped date or a badly wrong clock, and any expiry we gave would mislead.
CLOCK_SKEW_ALLOWED = timedelta(minutes=5)
TOKEN_FIELDS = ("access_token", "token_type", "expires_in", "refresh_token", "created_at")


def check_lifetime(value, where: str = "expires_in") -> int:
    """A token lifetime in whole seconds, from 1 second to a week."""
    if isinstance(value, str) and (digits := re.fullmatch(r"\s*(-?)([0-9]+)\s*", value)):
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


def check_issued_in_past(issued_at: datetime, now: datetime, what: str = "That time") -> None:
    """Refuse an issue time ahead of `now` (beyond ordinary clock skew), saying why."""
    ahead = utc_seconds(issued_at) - utc_seconds(now)
    if ahead <= CLOCK_SKEW_ALLOWED:
        return
    raise ToolInputError(
        f"{what} is {describe_duration(ahead.total_seconds())} in the future "
        f"(it is now {utc_seconds(now):%Y-%m-%d %H:%M} UTC), and a token cannot be issued in "
        "the future. Check the date, the year and the time zone. If the token really is new, "
        "a clock is wrong (clock skew): check the clock of the machine that recorded the time."
    )


def token_expiry(issued_at: datetime, expires_in: int, now: datetime) -> TokenExpiry:
    issued_at = utc_seconds(issued_at)
    now = utc_seconds(now)
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
