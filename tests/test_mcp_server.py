"""The MCP server as assistants meet it: the official MCP client library (the `mcp` SDK)
against a real gunicorn server with the production configuration (tests/servers.py).

Each test runs one client session through `anyio.run`; what the server answers is what the
SDK parsed and validated, so a reply that breaks the protocol fails here."""

from concurrent.futures import ThreadPoolExecutor

import anyio
from mcp.client import Client, ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError


def run_apart(function):
    """anyio.run in a thread of its own: in a process that ran a browser test, Playwright's
    event loop still runs in this one, and asyncio allows one loop a thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, function).result()


def in_session(server, scenario):
    """Run `scenario(session)` in an initialized session of the official client."""

    async def run():
        async with (
            streamable_http_client(f"{server.base_url}/mcp") as (read, write),
            ClientSession(read, write) as session,
        ):
            initialized = await session.initialize()
            return initialized, await scenario(session)

    return run_apart(run)


def text_of(result) -> str:
    [content] = result.content
    return content.text


def test_the_official_client_initializes_and_lists_the_tools_and_resources(make_server):
    server = make_server()

    async def scenario(session):
        return await session.list_tools(), await session.list_resources()

    initialized, (tools, resources) = in_session(server, scenario)
    assert initialized.protocol_version == "2025-11-25"
    assert initialized.server_info.name == "procore-api-kb"
    assert initialized.capabilities.tools is not None
    assert [tool.name for tool in tools.tools] == [
        "search_knowledge_base",
        "get_entry",
        "lookup_error",
        "token_expiry",
    ]
    assert tools.tools[0].input_schema["required"] == ["query"]
    assert tools.tools[0].annotations.read_only_hint is True
    uris = [str(resource.uri) for resource in resources.resources]
    assert uris[0] == f"{server.base_url}/llms.txt"
    assert f"{server.base_url}/faq/rate-limit-429.md" in uris


def test_the_official_client_calls_each_tool(make_server):
    server = make_server()

    async def scenario(session):
        return [
            await session.call_tool(
                "search_knowledge_base", {"query": "invalid_grant", "limit": 3}
            ),
            await session.call_tool("get_entry", {"slug": "refresh-token-invalid"}),
            await session.call_tool(
                "lookup_error", {"code_or_paste": "HTTP/1.1 429\nRetry-After: 60"}
            ),
            await session.call_tool(
                "token_expiry", {"issued_at": "2025-03-04T09:00:00Z", "expires_in": 7200}
            ),
            await session.read_resource(f"{server.base_url}/faq/refresh-token-invalid.md"),
        ]

    _, (found, entry, lookup, expiry, resource) = in_session(server, scenario)
    assert not any(result.is_error for result in [found, entry, lookup, expiry])
    assert f"page: <{server.base_url}/faq/refresh-token-invalid/>" in text_of(found)
    _, _, twin = server.get("/faq/refresh-token-invalid.md")
    assert text_of(entry) == twin.rstrip("\n")
    assert resource.contents[0].text == twin.rstrip("\n")
    assert "- Retry-After: 60 seconds" in text_of(lookup)
    assert "## 429 Too Many Requests" in text_of(lookup)
    assert text_of(expiry).startswith("**Expired**: expired")


def test_bad_input_reaches_the_client_as_errors_it_understands(make_server):
    server = make_server()

    async def scenario(session):
        errors = []
        for name, arguments in [
            ("drop_tables", {}),
            ("search_knowledge_base", {"query": 42}),
            ("search_knowledge_base", {"query": "x" * 5000}),
            ("get_entry", {}),
        ]:
            try:
                await session.call_tool(name, arguments)
            except MCPError as error:
                errors.append((error.code, error.message))
        tool_errors = [
            await session.call_tool("get_entry", {"slug": "no-such-answer"}),
            await session.call_tool("token_expiry", {"issued_at": "yesterday-ish"}),
            await session.call_tool("lookup_error", {"code_or_paste": "all is well"}),
        ]
        try:
            await session.read_resource(f"{server.base_url}/faq/no-such-answer.md")
        except MCPError as error:
            errors.append((error.code, error.message))
        return errors, tool_errors

    _, (errors, tool_errors) = in_session(server, scenario)
    assert [code for code, _ in errors] == [-32602, -32602, -32602, -32602, -32002]
    assert errors[0][1].startswith("Unknown tool “drop_tables”")
    assert errors[2][1].endswith("it takes at most 4,000.")
    assert all(result.is_error for result in tool_errors)
    assert "There is no published answer" in text_of(tool_errors[0])
    assert text_of(tool_errors[1]).startswith("issued_at: ")
    # The server logged no error: each was refused, not failed.
    assert "Traceback" not in server.log()


def test_searches_are_throttled_per_client_as_on_the_site(make_server):
    server = make_server(KB_SEARCH_RATE_LIMIT="3")
    server.get("/api/search", q="cors")  # the site's search and MCP share one allowance

    async def scenario(session):
        await session.call_tool("search_knowledge_base", {"query": "cors"})
        await session.call_tool("search_knowledge_base", {"query": "cors"})
        try:
            await session.call_tool("search_knowledge_base", {"query": "cors"})
        except MCPError as error:
            return error, await session.call_tool("get_entry", {"slug": "rate-limit-429"})
        return None, None

    _, (throttled, entry) = in_session(server, scenario)
    assert throttled is not None, "the fourth search was answered"
    assert throttled.code == -32000
    assert throttled.message.startswith("Too many searches from your network")
    assert entry.is_error is False, "reading is not searching"


def test_drafts_never_reach_an_assistant(make_server):
    server = make_server()
    assert server.sign_in() == 302
    assert server.save_entry("rate-limit-429", status="draft", _confirm_unpublish="yes") == 302

    async def scenario(session):
        found = await session.call_tool("search_knowledge_base", {"query": "429 rate limit"})
        entry = await session.call_tool("get_entry", {"slug": "rate-limit-429"})
        resources = await session.list_resources()
        llms = await session.read_resource(f"{server.base_url}/llms.txt")
        return found, entry, resources, llms

    _, (found, entry, resources, llms) = in_session(server, scenario)
    assert "rate-limit-429" not in text_of(found)
    assert entry.is_error is True
    assert not [r for r in resources.resources if "rate-limit-429" in str(r.uri)]
    assert "rate-limit-429" not in llms.contents[0].text


def test_a_client_of_the_newest_protocol_falls_back_to_the_handshake(make_server):
    """The SDK's default client first probes `server/discover` (protocol 2026-07-28); it is
    told the versions this server speaks and initializes instead."""
    server = make_server()

    async def run():
        async with Client(f"{server.base_url}/mcp") as client:
            result = await client.call_tool("lookup_error", {"code_or_paste": "401"})
            return client.session.protocol_version, result

    version, result = run_apart(run)
    assert version == "2025-11-25"
    assert "## 401 Unauthorized" in text_of(result)


def test_there_is_no_stream_to_open_nor_session_to_end(make_server):
    server = make_server()
    for method in ["GET", "DELETE"]:
        status, headers, _ = server.request(method, "/mcp")
        assert (status, headers["Allow"]) == (405, "POST")
