"""/mcp over HTTP, and the page that says how to connect an assistant to it.

/mcp is MCP's streamable HTTP transport in its simplest form: the client POSTs one JSON-RPC
message, and a request is answered with one `application/json` response (never a
`text/event-stream`: nothing here takes long enough to stream, and a plain answer passes
through nginx's buffering like any other). Notifications and responses are answered 202 with
no body; GET, which would open a stream of server messages, and DELETE, which would end a
session, are answered 405: there are neither. No session id is issued, so any node answers.

Every refusal is a JSON-RPC error with a plain message, at the HTTP status that fits it.
The endpoint takes no CSRF token (clients are programs, not pages of this site), so a browser
page of another site is refused by what the browser says of it (kb.web.origin: Sec-Fetch-Site,
Origin), as the specification asks against DNS rebinding; Django checks the Host header
against DJANGO_ALLOWED_HOSTS. A cross-site form cannot send `application/json` either.
"""

import functools
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from kb.content.markdown import render_markdown
from kb.mcp import server
from kb.mcp.protocol import (
    INTERNAL_ERROR,
    INVALID_REQUEST,
    PROTOCOL_VERSIONS,
    UNSUPPORTED_PROTOCOL_VERSION,
    RpcError,
    error_response,
    read_message,
    result_response,
)
from kb.web.origin import is_same_origin

logger = logging.getLogger(__name__)

# The largest message a tool takes is a 20,000-character paste for lookup_error; JSON escaping
# can double it. Anything bigger is refused before it is read.
MAX_BODY_BYTES = 256 * 1024
# The address the setup instructions (docs/mcp.md) use, replaced by this site's own.
EXAMPLE_ORIGIN = "https://kb.example.com"


def _error(error: RpcError, request_id=None) -> JsonResponse:
    response = JsonResponse(error_response(request_id, error), status=error.status)
    if error.status == 429:
        response["Retry-After"] = str(error.data["retryAfter"])
    return response


def _refusal(request: HttpRequest) -> RpcError | None:
    """What is wrong with the request as HTTP, before its body is read."""
    if not is_same_origin(request):
        return RpcError(
            INVALID_REQUEST,
            "Requests from pages of other sites are refused: connect an MCP client instead.",
            status=403,
        )
    content_type = request.content_type or ""
    if content_type.lower() != "application/json":
        return RpcError(
            INVALID_REQUEST,
            "Send one JSON-RPC message with Content-Type: application/json.",
            status=415,
        )
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not (length.isascii() and length.isdigit()) or int(length) > MAX_BODY_BYTES:
        return _too_big()
    version = request.headers.get("MCP-Protocol-Version")
    if version is not None and version not in PROTOCOL_VERSIONS:
        return RpcError(
            UNSUPPORTED_PROTOCOL_VERSION,
            f"This server speaks MCP {', '.join(PROTOCOL_VERSIONS)}, "
            f"not “{version[:40]}”: initialize to agree on one.",
            status=400,
            data={"supported": list(PROTOCOL_VERSIONS), "requested": version[:40]},
        )
    return None


def _too_big() -> RpcError:
    return RpcError(
        INVALID_REQUEST,
        f"The message is larger than {MAX_BODY_BYTES // 1024} KB: send less.",
        status=413,
    )


@csrf_exempt
@never_cache
def endpoint(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        # No stream of server messages (GET) and no session to end (DELETE).
        return HttpResponseNotAllowed(["POST"])
    if refusal := _refusal(request):
        return _error(refusal)
    # Never more than the limit is read, whatever the declared length said.
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _error(_too_big())
    try:
        message = read_message(body)
    except RpcError as error:
        return _error(error)
    if not message.is_request:
        # A notification (notifications/initialized, cancelled) or a response: nothing to say.
        return HttpResponse(status=202)
    try:
        result = server.answer(request, message.method, message.params)
    except RpcError as error:
        logger.info("mcp %r refused: %s", message.method[:50], error.code)
        return _error(error, message.id)
    except Exception:
        logger.exception("mcp %r failed", message.method[:50])
        failure = RpcError(
            INTERNAL_ERROR, "The server failed to answer; the error is logged.", status=500
        )
        return _error(failure, message.id)
    if message.method == "tools/call":
        logger.info("mcp tools/call %s", message.params["name"])
    return JsonResponse(result_response(message.id, result))


# --- The setup instructions --------------------------------------------------------------------


@functools.cache
def _setup_text() -> str:
    return (settings.BASE_DIR / "docs" / "mcp.md").read_text()


def _setup_markdown(request: HttpRequest) -> str:
    return _setup_text().replace(EXAMPLE_ORIGIN, request.build_absolute_uri("/").rstrip("/"))


@require_safe
def setup_page(request: HttpRequest) -> HttpResponse:
    return render(
        request, "mcp/setup.html", {"setup_html": render_markdown(_setup_markdown(request))}
    )


@require_safe
def setup_markdown(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_setup_markdown(request), content_type="text/markdown; charset=utf-8")
