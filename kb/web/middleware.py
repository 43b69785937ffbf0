"""Middleware every request goes through: its id and its log line."""

import logging
import re
import time
import urllib.parse
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kb.web.client import client_address
from kb.web.logging import current_request_id
from kb.web.redaction import redact

logger = logging.getLogger("kb.requests")

# A request id from the proxy in front is kept (so its log and ours match) when it looks like
# one; anything else is replaced.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Query strings carry what developers paste: the log keeps a short, redacted start of them.
LOGGED_QUERY_CHARS = 120
# Kept as they are in a logged address, so "[redacted]" and ordinary paths stay readable; all
# else (spaces, quotes, line breaks, non-ASCII) is percent-encoded, so a line stays one line.
_LOGGED_SAFE = "/[]:,.-_~@!$'()*+;"


def _redacted_parameter(name: str, value: str) -> str:
    # The value on its own first (a pasted `password: …` is then at the start of its text, as
    # in the paste), then with its name, so `?access_token=…` loses its value as well.
    return redact(f"{redact(name)}={redact(value)}" if value else redact(name))


def logged_url(path: str, query: str) -> str:
    """An address as the log may keep it: its path and parameters decoded, then redacted, then
    encoded again. Redacting the encoded text misses `%22access_token%22%3A%22…` and
    `client_secret%3D…`, whose secret-naming syntax only appears once decoded."""
    logged = urllib.parse.quote(redact(path), safe=_LOGGED_SAFE)
    if not query:
        return logged
    parameters = urllib.parse.parse_qsl(query, keep_blank_values=True)
    if not parameters:  # not form syntax (`?abc%`): redact the decoded text as a whole
        parameters = [(urllib.parse.unquote_plus(query), "")]
    text = "&".join(
        urllib.parse.quote(_redacted_parameter(name, value), safe=_LOGGED_SAFE + "=")
        for name, value in parameters
    )
    if len(text) > LOGGED_QUERY_CHARS:
        text = f"{text[:LOGGED_QUERY_CHARS]}…({len(text)} chars)"
    return f"{logged}?{text}"


def _logged_path(request: HttpRequest) -> str:
    return logged_url(request.path, request.META.get("QUERY_STRING", ""))


class RequestLogMiddleware:
    """One log line per request: client, method, path, status, size, latency and request id.

    It replaces gunicorn's access log, which would write whole query strings, pasted secrets
    and all. The id is also sent back as X-Request-ID and put on every log record.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            size = "-" if response.streaming else len(response.content)
            logger.info(
                '%s "%s %s" %s %s %.1fms',
                client_address(request),
                request.method,
                _logged_path(request),
                response.status_code,
                size,
                (time.perf_counter() - started) * 1000,
            )
            return response
        finally:
            current_request_id.reset(token)
