"""Middleware every request goes through: its id and its log line."""

import logging
import re
import time
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


def _logged_path(request: HttpRequest) -> str:
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return request.path
    query = redact(query)
    if len(query) > LOGGED_QUERY_CHARS:
        query = f"{query[:LOGGED_QUERY_CHARS]}…({len(query)} chars)"
    return f"{request.path}?{query}"


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
