"""The knowledge base inside coding assistants: a Model Context Protocol server at /mcp
(docs/mcp.md says how to connect Claude Code, Cursor and VS Code, and why it is built so).

    protocol    JSON-RPC 2.0 as MCP uses it: one message, errors, versions, tool arguments
    tools       search_knowledge_base, get_entry, lookup_error, token_expiry, in Markdown
    resources   llms.txt and each published answer's Markdown twin
    server      each MCP method, from a request to its result; stateless
    views, urls /mcp over HTTP (streamable HTTP, answered with JSON), and the setup page
    templates/  the setup page

May import only the other concerns' public interfaces: kb.search's `search`, kb.tools' forms
and calculations (and the error codes' Markdown), kb.content's models, twins and Markdown
rendering, kb.pages' llms.txt, and kb.web's throttle, redaction and origin check. Nothing
imports it but the wiring (kb/urls.py) and the links to its setup page.
"""
