"""JSON-RPC 2.0 as MCP uses it: reading one message, the errors, the protocol versions, and
checking a tool's arguments against the JSON Schema it advertises.

Pure functions of their input: nothing here knows about HTTP or the knowledge base.
"""

import json
from dataclasses import dataclass
from typing import Any

# The handshake-era revisions whose streamable HTTP transport this server speaks, oldest first.
# 2024-11-05 had the older HTTP+SSE transport instead; 2026-07-28 replaced the handshake with
# a per-request envelope (`server/discover`), which its clients fall back from (docs/mcp.md).
PROTOCOL_VERSIONS = ("2025-03-26", "2025-06-18", "2025-11-25")
LATEST_PROTOCOL_VERSION = PROTOCOL_VERSIONS[-1]

# JSON-RPC's own codes, and MCP's.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
RESOURCE_NOT_FOUND = -32002
UNSUPPORTED_PROTOCOL_VERSION = -32022
# In the range JSON-RPC leaves to implementations: too many searches from one client.
THROTTLED = -32000

MAX_ID_LENGTH = 200


class RpcError(Exception):
    """A JSON-RPC error answer: a code, a plain message for whoever reads it, and the HTTP
    status that carries it (200 when the request was read and only its content is wrong)."""

    def __init__(self, code: int, message: str, status: int = 200, data: Any = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.data = data

    def error(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


@dataclass(frozen=True)
class Message:
    """One JSON-RPC message from the client. `id` is None for a notification; a response to
    a request of ours (we send none) has no method."""

    method: str | None
    id: str | int | None
    params: dict
    is_request: bool


def error_response(request_id: str | int | None, error: RpcError) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "error": error.error()}


def result_response(request_id: str | int, result: dict) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def read_message(body: bytes) -> Message:
    """The one JSON-RPC message in a request body, or RpcError saying what is wrong with it."""
    try:
        data = json.loads(body)
    # ValueError covers bad UTF-8, bad JSON and integers too long to convert.
    except (ValueError, RecursionError):
        raise RpcError(PARSE_ERROR, "The request body is not valid JSON.", status=400) from None
    if isinstance(data, list):
        raise RpcError(
            INVALID_REQUEST,
            "Batches are not supported: send one JSON-RPC message per request.",
            status=400,
        )
    if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
        raise RpcError(
            INVALID_REQUEST,
            'This is not a JSON-RPC 2.0 message: send an object with "jsonrpc": "2.0".',
            status=400,
        )
    request_id = data.get("id")
    has_id = "id" in data
    if has_id and not _valid_id(request_id):
        raise RpcError(
            INVALID_REQUEST,
            f'"id" must be a string or an integer (a string at most {MAX_ID_LENGTH} characters).',
            status=400,
        )
    if "method" not in data:
        if has_id and ("result" in data or "error" in data):
            return Message(None, request_id, {}, is_request=False)  # a response: accepted
        raise RpcError(INVALID_REQUEST, 'The message has no "method".', status=400)
    method = data["method"]
    if not isinstance(method, str) or not method or len(method) > 100:
        raise RpcError(INVALID_REQUEST, '"method" must be a short string.', status=400)
    params = data.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise RpcError(
            INVALID_REQUEST, '"params" must be an object (by-name parameters).', status=400
        )
    return Message(method, request_id if has_id else None, params, is_request=has_id)


def _valid_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and len(value) <= MAX_ID_LENGTH


def negotiate(requested: Any) -> str:
    """The version to speak: the client's when we speak it, else our latest (the client then
    decides whether it can go on, as the specification's handshake says)."""
    return requested if requested in PROTOCOL_VERSIONS else LATEST_PROTOCOL_VERSION


# --- Arguments ---------------------------------------------------------------------------------

_TYPE_NAMES = {"string": "a string", "integer": "a whole number", "boolean": "true or false"}


def _is_type(value: Any, type_name: str) -> bool:
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "boolean":
        return isinstance(value, bool)
    raise ValueError(f"unsupported schema type {type_name}")  # a mistake in our own schemas


def check_arguments(tool: str, schema: dict, arguments: Any) -> dict:
    """`arguments` checked against a tool's input schema (the small part of JSON Schema our
    tools use: an object of strings and integers, required names, string lengths, integer
    bounds, no other names), defaults filled in. RpcError (invalid params) names the first
    problem in words a model can act on."""
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise RpcError(INVALID_PARAMS, f"The arguments of {tool} must be an object.")
    properties: dict = schema["properties"]
    names = ", ".join(properties) or "no arguments"
    for name in arguments:
        if name not in properties:
            raise RpcError(
                INVALID_PARAMS, f"{tool} has no argument “{name[:50]}”: it takes {names}."
            )
    for name in schema.get("required", []):
        if arguments.get(name) is None:
            raise RpcError(INVALID_PARAMS, f"{tool} needs the argument “{name}”.")
    checked = {}
    for name, rule in properties.items():
        value = arguments.get(name)
        if value is None:
            if "default" in rule:
                checked[name] = rule["default"]
            continue
        if not _is_type(value, rule["type"]):
            raise RpcError(
                INVALID_PARAMS, f"“{name}” of {tool} must be {_TYPE_NAMES[rule['type']]}."
            )
        if rule["type"] == "string":
            if len(value) > rule.get("maxLength", len(value)):
                raise RpcError(
                    INVALID_PARAMS,
                    f"“{name}” of {tool} is {len(value):,} characters long; it takes at most "
                    f"{rule['maxLength']:,}.",
                )
            if len(value.strip()) < rule.get("minLength", 0):
                raise RpcError(INVALID_PARAMS, f"“{name}” of {tool} must not be empty.")
        if rule["type"] == "integer" and not (
            rule.get("minimum", value) <= value <= rule.get("maximum", value)
        ):
            raise RpcError(
                INVALID_PARAMS,
                f"“{name}” of {tool} must be from {rule['minimum']} to {rule['maximum']}.",
            )
        checked[name] = value
    return checked
