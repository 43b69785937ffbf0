"""The MCP methods this server answers, from one JSON-RPC request to its result.

Stateless: every request is answered from itself and the database, so any worker of any node
can take any request. `initialize` negotiates a version and says what the server offers, but
nothing is remembered: a client that skips it is answered all the same.
"""

import logging

from django.http import HttpRequest

from kb.mcp import resources, tools
from kb.mcp.protocol import (
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    THROTTLED,
    RpcError,
    check_arguments,
    negotiate,
)

logger = logging.getLogger(__name__)

SERVER_INFO = {
    "name": "procore-api-kb",
    "title": "Procore API knowledge base",
    "version": "1.0.0",
}
INSTRUCTIONS = (
    "Answers written by Procore's API support engineers to the problems developers meet with "
    "the Procore API. When a Procore API call fails or behaves unexpectedly, search with the "
    "symptom or the error message (search_knowledge_base), then read the best answer whole "
    "(get_entry). For an HTTP status code, an error message or a raw response, lookup_error "
    "explains it and says whether and when to retry; token_expiry works out when an OAuth "
    "access token expires. Cite the answer's page URL to the developer."
)
CAPABILITIES = {
    "tools": {"listChanged": False},
    "resources": {"listChanged": False, "subscribe": False},
}


def initialize(request: HttpRequest, params: dict) -> dict:
    return {
        "protocolVersion": negotiate(params.get("protocolVersion")),
        "capabilities": CAPABILITIES,
        "serverInfo": {**SERVER_INFO, "websiteUrl": request.build_absolute_uri("/")},
        "instructions": INSTRUCTIONS,
    }


def ping(request: HttpRequest, params: dict) -> dict:
    return {}


def list_tools(request: HttpRequest, params: dict) -> dict:
    return {"tools": [tool.as_json() for tool in tools.TOOLS.values()]}


def call_tool(request: HttpRequest, params: dict) -> dict:
    name = params.get("name")
    if not isinstance(name, str) or not name:
        raise RpcError(INVALID_PARAMS, "tools/call needs the name of a tool.")
    tool = tools.TOOLS.get(name)
    if tool is None:
        raise RpcError(
            INVALID_PARAMS,
            f"Unknown tool “{name[:50]}”: the tools are {', '.join(tools.TOOLS)}.",
        )
    arguments = check_arguments(name, tool.input_schema, params.get("arguments"))
    try:
        return tool.run(request, arguments).as_json()
    except tools.Throttled as exc:
        raise RpcError(
            THROTTLED, str(exc), status=429, data={"retryAfter": exc.retry_after}
        ) from None


METHODS = {
    "initialize": initialize,
    "ping": ping,
    "tools/list": list_tools,
    "tools/call": call_tool,
    "resources/list": resources.list_resources,
    "resources/templates/list": resources.list_templates,
    "resources/read": resources.read_resource,
}


def answer(request: HttpRequest, method: str, params: dict) -> dict:
    """The result of a request, or RpcError."""
    handler = METHODS.get(method)
    if handler is None:
        raise RpcError(METHOD_NOT_FOUND, f"Unknown method “{method[:50]}”.")
    return handler(request, params)
