"""The MCP server at /mcp, through Django's test client: the protocol, its errors, each tool
and resource, and the site's rules (drafts, the throttle, redaction). The same server through
the official MCP client and a real gunicorn is tests/test_mcp_server.py."""

import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.mcp.views import MAX_BODY_BYTES
from kb.models import Entry
from tests.factories import RESPONSE_429, make_entry

BEARER = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def post(client, body, **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    headers.setdefault("content_type", "application/json")
    return client.post("/mcp", data=data, **headers)


def rpc(client, method: str, params: dict | None = None, **headers):
    """The response of one JSON-RPC request, as (HTTP status, parsed body)."""
    message = {"jsonrpc": "2.0", "id": 7, "method": method}
    if params is not None:
        message["params"] = params
    response = post(client, message, **headers)
    assert response["Content-Type"] == "application/json", response.content[:300]
    return response.status_code, json.loads(response.content)


def call(client, tool: str, **arguments) -> dict:
    """A tool's result (which may be a tool error), failing on a JSON-RPC error."""
    status, body = rpc(client, "tools/call", {"name": tool, "arguments": arguments})
    assert status == 200 and "result" in body, body
    return body["result"]


def text_of(result: dict) -> str:
    [content] = result["content"]
    assert content["type"] == "text"
    return content["text"]


def error_of(client, method: str, params: dict | None = None) -> dict:
    status, body = rpc(client, method, params)
    assert status == 200, body
    assert body["id"] == 7 and "result" not in body
    return body["error"]


@pytest.fixture
def at_10_utc(time_machine):
    time_machine.move_to(datetime(2025, 3, 4, 10, 0, 30, tzinfo=UTC), tick=False)


# --- The protocol ------------------------------------------------------------------------------


def test_it_initializes_in_the_clients_version(client, db):
    status, body = rpc(
        client,
        "initialize",
        {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"},
        },
    )
    assert status == 200
    result = body["result"]
    assert body["id"] == 7
    assert result["protocolVersion"] == "2025-06-18"
    assert set(result["capabilities"]) == {"tools", "resources"}
    assert result["serverInfo"]["name"] == "procore-api-kb"
    assert "search_knowledge_base" in result["instructions"]


def test_it_offers_its_latest_version_to_a_client_asking_for_another(client, db):
    _, body = rpc(client, "initialize", {"protocolVersion": "2024-11-05", "capabilities": {}})
    assert body["result"]["protocolVersion"] == "2025-11-25"


def test_it_gives_no_session_so_any_node_answers(client, db):
    response = post(client, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}})
    assert response.status_code == 200
    assert "Mcp-Session-Id" not in response
    assert "no-store" in response["Cache-Control"]
    # A request without any initialize before it is answered all the same.
    assert rpc(client, "ping")[1] == {"jsonrpc": "2.0", "id": 7, "result": {}}


def test_notifications_and_responses_are_accepted_with_no_body(client, db):
    for message in [
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3}},
        {"jsonrpc": "2.0", "id": 9, "result": {}},
    ]:
        response = post(client, message)
        assert (response.status_code, response.content) == (202, b"")


def test_it_lists_its_four_read_only_tools_with_their_schemas(client, db):
    _, body = rpc(client, "tools/list")
    tools = {tool["name"]: tool for tool in body["result"]["tools"]}
    assert list(tools) == ["search_knowledge_base", "get_entry", "lookup_error", "token_expiry"]
    for tool in tools.values():
        assert len(tool["description"]) > 150, "written for a model to choose by"
        assert tool["inputSchema"]["type"] == "object"
        assert tool["inputSchema"]["additionalProperties"] is False
        assert tool["annotations"]["readOnlyHint"] is True
    search = tools["search_knowledge_base"]["inputSchema"]
    assert search["required"] == ["query"]
    assert search["properties"]["limit"] == {
        "type": "integer",
        "description": "How many answers to return, 1 to 50.",
        "minimum": 1,
        "maximum": 50,
        "default": 10,
    }
    assert set(tools["token_expiry"]["inputSchema"]["properties"]) == {
        "issued_at",
        "token_response",
        "expires_in",
        "timezone",
    }


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_there_is_no_stream_and_no_session_to_end(client, db, method):
    response = client.generic(method, "/mcp")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


# --- Bad input: a JSON-RPC error with a plain message, never a 500 -----------------------------


def test_a_body_that_is_not_json_is_a_parse_error(client, db):
    for body in [b"{not json", b"\xff\xfe", b" ", b"[" * 100_000, b'{"id": 1' + b"1" * 5000 + b"}"]:
        response = post(client, body)
        assert response.status_code == 400
        assert json.loads(response.content) == {
            "jsonrpc": "2.0",
            "id": None,
            "error": {"code": -32700, "message": "The request body is not valid JSON."},
        }


@pytest.mark.parametrize(
    "message, says",
    [
        ('"a string"', "not a JSON-RPC 2.0 message"),
        ({"id": 1, "method": "ping"}, "not a JSON-RPC 2.0 message"),
        ({"jsonrpc": "1.0", "id": 1, "method": "ping"}, "not a JSON-RPC 2.0 message"),
        ({"jsonrpc": "2.0", "id": 1}, 'no "method"'),
        ({"jsonrpc": "2.0", "id": 1, "method": 5}, '"method" must be'),
        ({"jsonrpc": "2.0", "id": True, "method": "ping"}, '"id" must be'),
        ({"jsonrpc": "2.0", "id": 1.5, "method": "ping"}, '"id" must be'),
        ({"jsonrpc": "2.0", "id": "x" * 201, "method": "ping"}, '"id" must be'),
        ({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": [1]}, '"params" must be'),
        ([{"jsonrpc": "2.0", "id": 1, "method": "ping"}], "Batches are not supported"),
    ],
)
def test_a_message_that_is_not_json_rpc_is_an_invalid_request(client, db, message, says):
    response = post(client, message)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["id"] is None
    assert body["error"]["code"] == -32600
    assert says in body["error"]["message"]


def test_an_unknown_method_is_method_not_found(client, db):
    assert error_of(client, "prompts/list") == {
        "code": -32601,
        "message": "Unknown method “prompts/list”.",
    }


def test_an_unknown_tool_is_invalid_params_naming_the_tools(client, db):
    error = error_of(client, "tools/call", {"name": "delete_everything", "arguments": {}})
    assert error["code"] == -32602
    assert error["message"] == (
        "Unknown tool “delete_everything”: the tools are search_knowledge_base, get_entry, "
        "lookup_error, token_expiry."
    )
    assert error_of(client, "tools/call", {"arguments": {}})["code"] == -32602


SEARCH = "search_knowledge_base"


@pytest.mark.parametrize(
    "tool, arguments, says",
    [
        (SEARCH, {}, f"{SEARCH} needs the argument “query”."),
        (SEARCH, {"query": 429}, f"“query” of {SEARCH} must be a string."),
        (SEARCH, {"query": "   "}, f"“query” of {SEARCH} must not be empty."),
        (SEARCH, {"query": "x", "limit": "10"}, f"“limit” of {SEARCH} must be a whole number."),
        (SEARCH, {"query": "x", "limit": 2.5}, "must be a whole number"),
        (SEARCH, {"query": "x", "limit": True}, "must be a whole number"),
        (SEARCH, {"query": "x", "limit": 0}, f"“limit” of {SEARCH} must be from 1 to 50."),
        (SEARCH, {"query": "x", "limit": 51}, "must be from 1 to 50"),
        (SEARCH, {"query": "x", "page": 2}, "has no argument “page”: it takes query, limit."),
        (SEARCH, {"query": "x" * 4001}, "is 4,001 characters long; it takes at most 4,000."),
        ("get_entry", {"slug": ["a"]}, "“slug” of get_entry must be a string."),
        ("get_entry", {"slug": "s" * 301}, "it takes at most 300"),
        ("lookup_error", {"code_or_paste": "x" * 20_001}, "it takes at most 20,000"),
        ("lookup_error", {"code_or_paste": "4", "timezone": "T" * 65}, "“timezone” of lookup_"),
        ("token_expiry", {"expires_in": "7200"}, "“expires_in” of token_expiry must be a whole"),
        ("token_expiry", {"expires_in": 7 * 24 * 3600 + 1}, "must be from 1 to 604800"),
        ("token_expiry", {"token_response": "x" * 10_001}, "it takes at most 10,000"),
    ],
)  # fmt: skip
def test_arguments_that_break_the_schema_are_invalid_params(client, db, tool, arguments, says):
    error = error_of(client, "tools/call", {"name": tool, "arguments": arguments})
    assert error["code"] == -32602
    assert says in error["message"]


def test_arguments_must_be_an_object(client, db):
    error = error_of(client, "tools/call", {"name": "get_entry", "arguments": ["x"]})
    assert error == {"code": -32602, "message": "The arguments of get_entry must be an object."}


@pytest.mark.parametrize("length", ["\u00b2", "\u0664\u0662"])
def test_a_content_length_in_digits_of_another_script_is_refused_not_an_error(client, db, length):
    response = post(client, {"jsonrpc": "2.0", "id": 1, "method": "ping"}, CONTENT_LENGTH=length)
    assert response.status_code == 413


def test_an_oversize_body_is_refused_before_it_is_read(client, db):
    query = "x" * MAX_BODY_BYTES
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"query": query}}
    response = post(client, message)
    assert response.status_code == 413
    assert json.loads(response.content)["error"] == {
        "code": -32600,
        "message": "The message is larger than 256 KB: send less.",
    }


def test_a_body_that_is_not_json_typed_is_refused(client, db):
    response = client.post("/mcp", {"jsonrpc": "2.0"})  # a form, as another site's page sends
    assert response.status_code == 415
    assert "Content-Type: application/json" in json.loads(response.content)["error"]["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://attacker.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://attacker.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
    ],
)
def test_a_page_of_another_site_is_refused(client, db, headers):
    status, body = rpc(client, "tools/list", **headers)
    assert status == 403
    assert body["error"]["message"] == (
        "Requests from pages of other sites are refused: connect an MCP client instead."
    )


def test_the_sites_own_origin_and_programs_without_one_are_answered(client, db):
    assert rpc(client, "ping", HTTP_ORIGIN="http://testserver")[0] == 200
    assert rpc(client, "ping", HTTP_SEC_FETCH_SITE="same-origin")[0] == 200
    assert rpc(client, "ping")[0] == 200


def test_an_unsupported_protocol_version_header_names_the_supported_ones(client, db):
    status, body = rpc(client, "server/discover", HTTP_MCP_PROTOCOL_VERSION="2026-07-28")
    assert status == 400
    assert body["error"]["code"] == -32022
    assert body["error"]["data"] == {
        "supported": ["2025-03-26", "2025-06-18", "2025-11-25"],
        "requested": "2026-07-28",
    }
    assert rpc(client, "ping", HTTP_MCP_PROTOCOL_VERSION="2025-06-18")[0] == 200


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
TOOL_NAMES = ["search_knowledge_base", "get_entry", "lookup_error", "token_expiry", "other"]


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    tool=st.sampled_from(TOOL_NAMES),
    arguments=JSON
    | st.dictionaries(
        st.sampled_from(["query", "limit", "slug", "code_or_paste", "issued_at", "token_response",
                         "expires_in", "timezone"]),
        JSON,
        max_size=4,
    ),
    message=JSON,
)  # fmt: skip
def test_no_message_and_no_arguments_cause_a_server_error(
    client, indexed_faq, tool, arguments, message
):
    for sent in [
        message,
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": message},
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": tool, "arguments": arguments},
        },
        {"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {"uri": message}},
    ]:
        response = post(client, json.dumps(sent).encode())  # a bare string too
        # 429 when the examples happen to search more often than the allowance.
        assert response.status_code in (200, 202, 400, 429), response.content[:300]
        if response.status_code != 202:
            body = json.loads(response.content)
            assert ("result" in body) != ("error" in body)
            assert "error" not in body or body["error"]["code"] != -32603


# --- search_knowledge_base ---------------------------------------------------------------------


def test_search_answers_with_the_sites_ranking_urls_and_excerpts(client, indexed_faq):
    text = text_of(call(client, "search_knowledge_base", query="invalid_grant", limit=3))
    assert "the best 3, best first" in text
    first = text.split("\n\n")[1]
    assert first.startswith("1. **")
    assert "slug: `refresh-token-invalid`" in first
    assert "page: <http://testserver/faq/refresh-token-invalid/>" in first
    assert "Markdown: <http://testserver/faq/refresh-token-invalid.md>" in first
    assert "\n   > There are a number of reasons" in first
    assert "<mark>" not in text and "&#x27;" not in text


def test_search_ranks_as_the_api_does(client, indexed_faq):
    api = client.get("/api/search", {"q": "cors error from the browser", "limit": 5}).json()
    text = text_of(
        call(client, "search_knowledge_base", query="cors error from the browser", limit=5)
    )
    slugs = [line.split("`")[1] for line in text.splitlines() if "slug: `" in line]
    assert slugs == [result["slug"] for result in api["results"]]


def test_search_marks_the_matched_words_in_markdown(client, indexed_faq):
    text = text_of(call(client, "search_knowledge_base", query="sandbox restore", limit=1))
    assert "**sandbox**" in text.lower() or "**restore**" in text.lower()


def test_a_fruitless_search_says_what_to_try(client, indexed_faq):
    result = call(client, "search_knowledge_base", query="xyzzy plugh")
    assert result["isError"] is False
    assert text_of(result).startswith("No published answer matches “xyzzy plugh”.")
    assert "<http://testserver/llms.txt>" in text_of(result)


def test_pasted_secrets_are_redacted_before_searching(client, indexed_faq, caplog):
    caplog.set_level("DEBUG")
    text = text_of(call(client, "search_knowledge_base", query=f"Authorization: {BEARER} xyzzy"))
    assert "eyJhbGci" not in text
    assert "\\[redacted\\]" in text  # brackets escaped, as Markdown needs
    assert "eyJhbGci" not in caplog.text
    assert "mcp tools/call search_knowledge_base" in caplog.text


def test_searches_through_mcp_are_not_written_to_the_search_log(client, indexed_faq):
    from kb.models import SearchRecord

    call(client, "search_knowledge_base", query="invalid_grant")
    assert not SearchRecord.objects.exists()


def test_search_shares_the_search_throttle_of_the_site(client, indexed_faq, settings):
    settings.KB_SEARCH_RATE_LIMIT = 2
    assert client.get("/api/search", {"q": "cors"}).status_code == 200
    call(client, "search_knowledge_base", query="cors")
    status, body = rpc(
        client, "tools/call", {"name": "search_knowledge_base", "arguments": {"query": "cors"}}
    )
    assert status == 429
    assert body["error"]["code"] == -32000
    assert body["error"]["message"].startswith("Too many searches from your network")
    assert body["error"]["data"]["retryAfter"] >= 1
    assert client.get("/api/search", {"q": "cors"}).status_code == 429
    # The other tools are not searches.
    assert call(client, "lookup_error", code_or_paste="429")["isError"] is False


def test_the_throttle_is_per_client(indexed_faq, settings):
    from django.test import Client

    settings.KB_SEARCH_RATE_LIMIT = 1
    arguments = {"name": "search_knowledge_base", "arguments": {"query": "cors"}}
    assert rpc(Client(REMOTE_ADDR="203.0.113.1"), "tools/call", arguments)[0] == 200
    assert rpc(Client(REMOTE_ADDR="203.0.113.1"), "tools/call", arguments)[0] == 429
    assert rpc(Client(REMOTE_ADDR="203.0.113.2"), "tools/call", arguments)[0] == 200


# --- Drafts never appear -----------------------------------------------------------------------


@pytest.fixture
def draft(indexed_faq):
    from kb import search

    entry = make_entry(
        slug="secret-draft",
        question="Why does the quuxification endpoint fail?",
        answer="A draft answer about quuxification.",
        status=Entry.Status.DRAFT,
    )
    search.rebuild()
    return entry


def test_drafts_never_appear_anywhere(client, draft):
    text = text_of(call(client, "search_knowledge_base", query="quuxification"))
    assert "secret-draft" not in text and "quuxification endpoint" not in text
    result = call(client, "get_entry", slug="secret-draft")
    assert result["isError"] is True
    assert "quuxification" not in text_of(result)
    listed = []
    params: dict = {}
    while True:
        page = rpc(client, "resources/list", params)[1]["result"]
        listed += [resource["uri"] for resource in page["resources"]]
        if "nextCursor" not in page:
            break
        params = {"cursor": page["nextCursor"]}
    assert "http://testserver/faq/rate-limit-429.md" in listed
    assert not [uri for uri in listed if "secret-draft" in uri]
    uri = "http://testserver/faq/secret-draft.md"
    assert error_of(client, "resources/read", {"uri": uri})["code"] == -32002
    llms = rpc(client, "resources/read", {"uri": "http://testserver/llms.txt"})[1]
    assert "secret-draft" not in llms["result"]["contents"][0]["text"]


# --- get_entry ---------------------------------------------------------------------------------


def test_get_entry_answers_with_the_markdown_twin(client, faq):
    result = call(client, "get_entry", slug="rate-limit-429")
    twin = client.get("/faq/rate-limit-429.md").content.decode()
    assert result["isError"] is False
    assert text_of(result) == twin.rstrip("\n")


def test_get_entry_takes_an_entrys_url_too(client, faq):
    for slug in ["http://testserver/faq/rate-limit-429/", "/faq/rate-limit-429.md"]:
        assert call(client, "get_entry", slug=slug)["isError"] is False


def test_an_unknown_slug_is_a_tool_error_the_model_can_act_on(client, faq):
    result = call(client, "get_entry", slug="no-such-answer")
    assert result["isError"] is True
    assert text_of(result) == (
        "There is no published answer with the slug “no-such-answer”. Find answers and their "
        "slugs with search_knowledge_base."
    )


# --- lookup_error ------------------------------------------------------------------------------


def test_lookup_error_explains_a_code(client, faq):
    text = text_of(call(client, "lookup_error", code_or_paste="429"))
    assert text.startswith("Paste the whole 429 response, headers included")
    assert "## 429 Too Many Requests" in text
    assert "### Is a retry safe?" in text
    assert "(http://testserver/faq/rate-limit-429.md)" in text


def test_lookup_error_reads_a_pasted_responses_headers(client, faq, at_10_utc):
    text = text_of(
        call(client, "lookup_error", code_or_paste=RESPONSE_429, timezone="Europe/Paris")
    )
    assert text.startswith("Read as a response: HTTP/1.1 429 Too Many Requests, with 5 header(s).")
    assert "**Retry at 2025-03-04T10:10:00Z** (2025-03-04T11:10:00+01:00 in Europe/Paris)" in text
    assert "From X-Rate-Limit-Reset" in text
    assert "- X-Rate-Limit-Limit: 3600 requests in the window" in text
    assert "## Known message: `You have surpassed" in text
    assert text.count("## 429 Too Many Requests") == 1


def test_lookup_error_says_when_a_code_is_not_documented(client, faq):
    text = text_of(call(client, "lookup_error", code_or_paste="418"))
    assert "## 418 is not a status code the Procore API documents" in text
    assert "The nearest codes it documents:" in text


@pytest.mark.parametrize(
    "arguments, says",
    [
        ({"code_or_paste": "the weather is nice"}, "Found no status code or known error message"),
        ({"code_or_paste": "429", "timezone": "Mars/Olympus"}, "timezone: "),
        ({"code_or_paste": "999"}, "code_or_paste: "),
    ],
)
def test_lookup_input_it_cannot_use_is_a_tool_error(client, faq, arguments, says):
    result = call(client, "lookup_error", **arguments)
    assert result["isError"] is True
    assert says in text_of(result)


# --- token_expiry ------------------------------------------------------------------------------


def test_token_expiry_works_out_the_expiry_and_next_steps(client, faq, at_10_utc):
    text = text_of(
        call(
            client,
            "token_expiry",
            issued_at="2025-03-04T09:00:00Z",
            expires_in=7200,
            timezone="America/Los_Angeles",
        )
    )
    assert text.startswith("**Still valid**: 59 minutes left.")
    assert (
        "- Expires at: 2025-03-04T11:00:00Z (2025-03-04T03:00:00-08:00 in America/Los_Angeles)"
        in text
    )
    assert "- Lifetime: 7200 seconds (2 hours), the lifetime you entered" in text
    assert "Next steps:" in text
    assert "(<http://testserver/faq/access-token-lifetime/>)" in text


def test_token_expiry_reads_a_pasted_token_response(client, faq, at_10_utc):
    response = json.dumps({"access_token": "x", "expires_in": 7200, "created_at": 1741075200})
    text = text_of(call(client, "token_expiry", token_response=response))
    assert text.startswith("**Expired**: expired")
    assert "the pasted response's expires_in" in text


@pytest.mark.parametrize(
    "arguments, says",
    [
        ({}, "issued_at: Enter when the token was issued, or paste the token response."),
        ({"issued_at": "next tuesday"}, "issued_at: "),
        ({"token_response": "{not json"}, "token_response: "),
        ({"issued_at": "2025-03-04T09:00:00Z", "timezone": "Nowhere/Here"}, "timezone: "),
    ],
)
def test_token_input_it_cannot_use_is_a_tool_error(client, faq, arguments, says):
    result = call(client, "token_expiry", **arguments)
    assert result["isError"] is True
    assert says in text_of(result)


# --- Resources ---------------------------------------------------------------------------------


def test_resources_are_llms_txt_and_each_published_answer(client, faq):
    first = rpc(client, "resources/list")[1]["result"]
    llms = first["resources"][0]
    assert llms["uri"] == "http://testserver/llms.txt"
    assert llms["mimeType"] == "text/markdown"
    entry = next(r for r in first["resources"] if r["name"] == "rate-limit-429")
    assert entry["uri"] == "http://testserver/faq/rate-limit-429.md"
    assert entry["title"] == Entry.objects.get(slug="rate-limit-429").question


def test_resources_come_a_page_at_a_time(client, empty_db):
    from tests.factories import make_entries

    make_entries(150)
    first = rpc(client, "resources/list")[1]["result"]
    assert len(first["resources"]) == 101  # llms.txt and 100 answers
    second = rpc(client, "resources/list", {"cursor": first["nextCursor"]})[1]["result"]
    assert len(second["resources"]) == 50
    assert "nextCursor" not in second
    names = [r["name"] for r in first["resources"][1:] + second["resources"]]
    assert len(set(names)) == 150
    assert error_of(client, "resources/list", {"cursor": 5})["code"] == -32602


def test_reading_a_resource_gives_what_the_site_serves(client, faq):
    for path in ["/llms.txt", "/faq/rate-limit-429.md"]:
        _, body = rpc(client, "resources/read", {"uri": f"http://testserver{path}"})
        [content] = body["result"]["contents"]
        assert content["uri"] == f"http://testserver{path}"
        assert content["mimeType"] == "text/markdown"
        assert content["text"].rstrip("\n") == client.get(path).content.decode().rstrip("\n")


@pytest.mark.parametrize(
    "uri",
    [
        "http://testserver/faq/no-such-answer.md",
        "http://testserver/admin/",
        "http://testserver/nowhere",
        "http://elsewhere.example/llms.txt",
        "not a uri",
    ],
)
def test_reading_an_unknown_resource_is_resource_not_found(client, faq, uri):
    error = error_of(client, "resources/read", {"uri": uri})
    assert error["code"] == -32002
    assert error["message"].startswith("No such resource")


def test_reading_needs_a_uri(client, db):
    assert error_of(client, "resources/read", {"uri": 5})["code"] == -32602
    assert error_of(client, "resources/read", {"uri": "x" * 2001})["code"] == -32602


def test_there_is_one_resource_template_for_the_answers(client, db):
    [template] = rpc(client, "resources/templates/list")[1]["result"]["resourceTemplates"]
    assert template["uriTemplate"] == "http://testserver/faq/{slug}.md"


# --- Where the setup is found ------------------------------------------------------------------


def test_the_setup_page_gives_this_sites_address_for_each_assistant(client, db):
    html = client.get("/mcp/setup/").content.decode()
    # The commands are highlighted (token spans): what a reader sees and copies is their text.
    shown = re.sub(r"<[^>]+>", "", html)
    assert "claude mcp add --transport http procore-api-kb http://testserver/mcp" in shown
    assert ".cursor/mcp.json" in html and ".vscode/mcp.json" in html
    assert "kb.example.com" not in html
    markdown = client.get("/mcp/setup.md")
    assert markdown["Content-Type"] == "text/markdown; charset=utf-8"
    assert '"url": "http://testserver/mcp"' in markdown.content.decode()


def test_the_footer_and_llms_txt_link_the_setup(client, faq):
    html = client.get("/").content.decode()
    assert 'href="/mcp/setup/"' in html[html.index("<footer") :]
    assert "<http://testserver/mcp/setup.md>" in client.get("/llms.txt").content.decode()


def test_a_draft_once_published_is_found(client, draft):
    """The control for the test above: the same search finds the entry once it is published."""
    from kb import search

    Entry.objects.filter(pk=draft.pk).update(status=Entry.Status.PUBLISHED)
    search.rebuild()
    text = text_of(call(client, "search_knowledge_base", query="quuxification"))
    assert "slug: `secret-draft`" in text
    assert call(client, "get_entry", slug="secret-draft")["isError"] is False


def test_search_says_when_the_knowledge_base_has_no_answer(client, indexed_faq):
    answered = text_of(call(client, "search_knowledge_base", query="too many requests"))
    assert "best first" in answered
    assert "answered: false" not in answered
    query = "webhook payload signature verification"
    unanswered = text_of(call(client, "search_knowledge_base", query=query))
    assert unanswered.startswith(
        f"answered: false. The knowledge base has no answer about “{query}” yet"
    )
