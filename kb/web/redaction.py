"""Secrets out of pasted text, before it is stored, logged or put back into a URL.

Developers are told to paste whole responses and requests, and those carry credentials:
`Authorization: Bearer eyJ…`, `access_token` and `refresh_token` values, client secrets,
cookies. `redact()` replaces each secret with REDACTED and keeps every other word, so the
search still finds the answer from the words around it and the search insights still show
what was searched for.

What counts as a secret, in order:
- credentials after an auth scheme: `Bearer …`, `Basic …`, `Token …`;
- header lines whose name says credential: Authorization, Cookie, Set-Cookie, X-Api-Key…;
- values of fields whose name says credential, in JSON (`"access_token": "…"`), form and query
  syntax (`client_secret=…`) and YAML/log syntax (`password: …`);
- JWT-shaped strings (three base64url parts, the first `eyJ`);
- long random-looking strings: 24 or more letters and digits mixing case and digits, or 24 or
  more letters and digits in one unbroken run with at least four of each
  (`procorekeyabcdefghij1234567890xyz`), or 32 or more hexadecimal digits, with little
  repetition.
"""

import math
import re
from collections import Counter

REDACTED = "[redacted]"

# Field and header names that hold credentials: access_token, refresh_token, client_secret,
# password, api_key, X-Api-Key, session, cookie, signature…
_SECRET_NAME = (
    r"[\w.-]*(?:token|secret|passw(?:or)?d|pwd|api[_-]?key|apikey|credential|cookie|session"
    r"|signature|authorization|private[_-]?key)[\w.-]*"
)
_AUTH_SCHEME = re.compile(
    r"\b(Bearer|Basic|Token|Digest|Negotiate)(\s+)[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE
)
# Headers that are nothing but credentials: the whole value goes, to the end of the line.
_CREDENTIAL_HEADER = re.compile(
    r"(^|[\s'\"])((?:set-)?cookie|(?:proxy-)?authorization)([ \t]*:[ \t]*)([^\r\n'\"]+)",
    re.IGNORECASE | re.MULTILINE,
)
# Other credential-named fields in header or YAML syntax (`X-Api-Key: …`, `password: …`): one
# value that looks like a key, so prose such as "invalid_token: the token expired" stays.
_NAMED_VALUE = re.compile(
    rf"(^|[\s'\"])({_SECRET_NAME})([ \t]*:[ \t]*)(?=\S*\d|\S{{8}})([^\s'\",]+)",
    re.IGNORECASE | re.MULTILINE,
)
_JSON_FIELD = re.compile(
    rf"(\"{_SECRET_NAME}\"\s*:\s*)(\"(?:[^\"\\]|\\.)*\"|[^\s,}}\]]+)", re.IGNORECASE
)
_FORM_FIELD = re.compile(rf"(\b{_SECRET_NAME}=)([^&\s'\"]+)", re.IGNORECASE)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_LONG_RUN = re.compile(r"[A-Za-z0-9+/=_-]{24,}")
_HEX = re.compile(r"^[0-9a-fA-F-]{32,}$")
_UNBROKEN = re.compile(r"[A-Za-z0-9]{24,}")


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _is_key_run(run: str) -> bool:
    """A run of 24+ letters and digits with no separator, in one case or both: a key such as
    `procorekeyabcdefghij1234567890xyz`. Paths and identifiers (`rest/v1/companies/1234567`,
    `company_id_query_parameter`) are broken by `/`, `_` or `-` into shorter runs."""
    digits = sum(c.isdigit() for c in run)
    return digits >= 4 and len(run) - digits >= 4 and _entropy(run) >= 3.5


def looks_random(token: str) -> bool:
    """Whether a long token is a key rather than words: identifiers such as
    `company_id_query_parameter` or `X-Rate-Limit-Reset` are not; `sk_live_4eC39HqLyjWDarjtT1z`
    and a 32-digit hexadecimal request id are."""
    if _HEX.match(token):
        return len(token.replace("-", "")) >= 32
    if any(_is_key_run(run) for run in _UNBROKEN.findall(token)):
        return True
    letters = re.sub(r"[^A-Za-z0-9]", "", token)
    if len(letters) < 20:
        return False
    has_digit = any(c.isdigit() for c in letters)
    has_upper = any(c.isupper() for c in letters)
    has_lower = any(c.islower() for c in letters)
    if not (has_digit and has_upper and has_lower):
        return False
    return _entropy(letters) >= 3.5


def _replace_value(prefix_groups: int):
    def replace(match: re.Match) -> str:
        return "".join(match.group(i) or "" for i in range(1, prefix_groups + 1)) + REDACTED

    return replace


def _json_value(match: re.Match) -> str:
    value = match.group(2)
    quoted = value.startswith('"')
    return match.group(1) + (f'"{REDACTED}"' if quoted else REDACTED)


def redact(text: str) -> str:
    """`text` with every secret replaced by REDACTED; the rest exactly as it was."""
    if not text:
        return text
    text = _JWT.sub(REDACTED, text)
    text = _AUTH_SCHEME.sub(_replace_value(2), text)
    text = _CREDENTIAL_HEADER.sub(_replace_value(3), text)
    text = _NAMED_VALUE.sub(_replace_value(3), text)
    text = _JSON_FIELD.sub(_json_value, text)
    text = _FORM_FIELD.sub(_replace_value(1), text)
    return _LONG_RUN.sub(lambda m: REDACTED if looks_random(m.group(0)) else m.group(0), text)
