"""The MCP tools: what an assistant may ask, each answered in Markdown from the site's own
search, twins and tools, and each read-only.

Each tool's input schema is both what tools/list advertises and what its arguments are
checked against (kb.mcp.protocol.check_arguments), so the two cannot disagree. Arguments that
break the schema are a JSON-RPC error (invalid params); input the schema allows but the tool
cannot use (an unknown slug, a date it cannot read) is a tool result with `isError`, which
the model reads and can act on, as the specification asks.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from kb.content import twins
from kb.content.models import Entry
from kb.content.twins import escape_markdown
from kb.search import search
from kb.tools import error_documents, tokens
from kb.tools.forms import MAX_LOOKUP, MAX_TOKEN_RESPONSE, ErrorLookupForm, TokenExpiryForm
from kb.web import throttle
from kb.web.redaction import redact

# As /api/search: ten results unless asked, never more than fifty.
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
# Search reads the first 4,000 characters of a paste; a longer query is refused, not cut
# silently, so the model knows to send the telling part.
MAX_QUERY = 4000
MAX_SLUG = 300
THROTTLED = "Too many searches from your network in a short time. Please wait a minute."


class Throttled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(THROTTLED)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Result:
    """A tool's answer: Markdown for the model, and whether it is an error it should read."""

    text: str
    is_error: bool = False

    def as_json(self) -> dict:
        return {"content": [{"type": "text", "text": self.text}], "isError": self.is_error}


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    description: str
    input_schema: dict
    run: Callable[[HttpRequest, dict], Result]

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": self.input_schema,
            "annotations": {
                "title": self.title,
                "readOnlyHint": True,
                "destructiveHint": False,
                "idempotentHint": True,
                "openWorldHint": False,
            },
        }


def _string(description: str, max_length: int, min_length: int = 0) -> dict:
    rule = {"type": "string", "description": description, "maxLength": max_length}
    if min_length:
        rule["minLength"] = min_length
    return rule


def _schema(required: list[str], **properties: dict) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _iso(instant: datetime | None) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if instant else ""


def _excerpt(snippet: str) -> str:
    """A search snippet (escaped HTML, matched words in <mark>) as Markdown."""
    marked = str(snippet).replace("<mark>", "\x00").replace("</mark>", "\x01")
    text = escape_markdown(unescape(strip_tags(marked)))
    return text.replace("\x00", "**").replace("\x01", "**")


# --- search_knowledge_base ---------------------------------------------------------------------


def search_knowledge_base(request: HttpRequest, arguments: dict) -> Result:
    allowance = throttle.hit(
        "search", request, settings.KB_SEARCH_RATE_LIMIT, settings.KB_SEARCH_RATE_WINDOW
    )
    if not allowance.allowed:
        raise Throttled(allowance.retry_after)
    # As /api/search: pasted credentials never reach the search or its per-process cache.
    # Searches through MCP are not written to the search log, as /api/search's are not: the
    # log's record has no field saying where a search came from, and an assistant's searches
    # would count as unanswered whenever it reads the answer here rather than on the site.
    query = redact(arguments["query"])
    results = search(query, limit=arguments["limit"])
    absolute = request.build_absolute_uri
    if not results.hits:
        lines = [f"No published answer matches “{escape_markdown(results.query[:200])}”."]
        if results.suggestion:
            lines.append(f"Did you mean “{escape_markdown(results.suggestion)}”? Search again.")
        lines.append(
            "Try the words of the error message or the status code (lookup_error reads codes, "
            "messages and raw responses), or read the list of every answer in "
            f"<{absolute(reverse('llms_txt'))}>. Procore API support: "
            f"<{absolute(reverse('support'))}>."
        )
        return Result("\n\n".join(lines))
    shown = len(results.hits)
    if results.answered:
        parts = [
            f"{results.total} published "
            f"{'answer matches' if results.total == 1 else 'answers match'} "
            f"“{escape_markdown(results.query[:200])}”; the best {shown}, best first. Read one "
            "whole with get_entry(slug)."
        ]
    else:
        # The site's own decision (kb.search.answered): no entry is about this query.
        parts = [
            f"answered: false. The knowledge base has no answer about "
            f"“{escape_markdown(results.query[:200])}” yet; the {shown} entries below only "
            "share some of its words, not its problem: do not present them as the answer. "
            f"Procore API support can be asked at <{absolute(reverse('support'))}>."
        ]
    if results.suggestion:
        word = "Showing answers for" if results.corrected else "Did you mean"
        parts.append(f"{word} “{escape_markdown(results.suggestion)}”?")
    for rank, hit in enumerate(results.hits, start=1):
        parts.append(
            f"{rank}. **{escape_markdown(hit.question)}** ({escape_markdown(hit.category)})\n"
            f"   slug: `{hit.slug}` · page: <{absolute(hit.url)}> · "
            f"Markdown: <{absolute(reverse('entry_markdown', args=[hit.slug]))}>\n"
            f"   > {_excerpt(hit.snippet)}"
        )
    return Result("\n\n".join(parts))


# --- get_entry ---------------------------------------------------------------------------------


def _slug_from(text: str) -> str:
    """A slug, or the slug of an entry's page or Markdown URL a model may pass instead."""
    text = text.strip().split("?")[0].split("#")[0].rstrip("/")
    last = text.rsplit("/", 1)[-1]
    return last.removesuffix(".md")


def get_entry(request: HttpRequest, arguments: dict) -> Result:
    slug = _slug_from(arguments["slug"])
    entry = Entry.objects.published().select_related("category").filter(slug=slug).first()
    if entry is None:
        return Result(
            f"There is no published answer with the slug “{escape_markdown(slug[:100])}”. "
            "Find answers and their slugs with search_knowledge_base.",
            is_error=True,
        )
    return Result(twins.entry_markdown(entry, request.build_absolute_uri))


# --- lookup_error ------------------------------------------------------------------------------


def _rate_limit_markdown(lookup, tz: str) -> list[str]:
    info = lookup.rate_limit
    lines = ["## Rate limit"]
    if lookup.shows_retry_time:
        if info.retry_at is None:
            lines.append("The response does not say when to retry: wait, and back off.")
        elif info.may_retry_now:
            lines.append(f"**You may retry now.** The wait ended {info.wait_in_words} ago.")
        else:
            local = info.retry_at.astimezone(ZoneInfo(tz)).isoformat()
            lines.append(
                f"**Retry at {_iso(info.retry_at)}** ({local} in {tz}), in {info.wait_in_words}."
            )
        if info.basis:
            lines.append(f"From {info.basis}.")
    facts = []
    if info.limit is not None:
        facts.append(f"- X-Rate-Limit-Limit: {info.limit} requests in the window")
    if info.remaining is not None:
        facts.append(f"- X-Rate-Limit-Remaining: {info.remaining} left")
    if info.reset_passed:
        facts.append(
            f"- X-Rate-Limit-Reset: already passed, {info.reset_in_words} ago "
            f"({_iso(info.reset_at)}): a new window has begun, so these counts are out of date"
        )
    elif info.reset_at:
        facts.append(f"- X-Rate-Limit-Reset: the window resets at {_iso(info.reset_at)}")
    if info.retry_after is not None:
        facts.append(f"- Retry-After: {info.retry_after} seconds")
    facts += [f"- {escape_markdown(problem)}" for problem in info.problems]
    if facts:
        lines.append("\n".join(facts))
    return lines


def lookup_error(request: HttpRequest, arguments: dict) -> Result:
    form = ErrorLookupForm({"q": arguments["code_or_paste"], "tz": arguments["timezone"]})
    if not form.is_valid():
        return Result(_form_errors(form), is_error=True)
    lookup = form.lookup(timezone.now())
    if not lookup.found_anything:
        return Result(
            "Found no status code or known error message in this. Send a status code such as "
            "429, the message the API sent, or the response's status line and headers; or "
            "search the knowledge base with search_knowledge_base.",
            is_error=True,
        )
    absolute = request.build_absolute_uri
    tz = form.cleaned_data["tz"]
    parts = []
    if response := lookup.query.response:
        parts.append(
            f"Read as a response: HTTP/{response.http_version} {response.status} "
            f"{escape_markdown(response.reason)}, with {len(response.headers)} header(s)."
        )
    for message in lookup.messages:
        lines = [f"## Known message: {error_documents.code_span(message.text)}"]
        if message.error_code:
            code = message.error_code
            lines.append(
                f"It comes with {escape_markdown(error_documents.code_title(code))} "
                f"(<{absolute(code.get_absolute_url())}>)."
            )
        if message.meaning:
            lines.append(escape_markdown(message.meaning))
        if entries := list(message.entries.all()):
            lines.append(
                "\n".join(
                    twins.link_item(e.question, twins.entry_markdown_url(e, absolute))
                    for e in entries
                )
            )
        parts.append("\n\n".join(lines))
    if lookup.rate_limit:
        parts.append("\n\n".join(_rate_limit_markdown(lookup, tz)))
    elif lookup.query.code == 429 and not lookup.query.response:
        parts.append("Paste the whole 429 response, headers included, to learn when to retry.")
    for code in lookup.codes:
        parts.append(error_documents.code_markdown(code, absolute, level=2))
    if lookup.unknown_code:
        lines = [f"## {lookup.unknown_code} is not a status code the Procore API documents"]
        if lookup.unknown_is_success:
            lines.append("A 2xx status means the request succeeded.")
        if lookup.nearest:
            nearest = ", ".join(error_documents.code_title(c) for c in lookup.nearest)
            lines.append(f"The nearest codes it documents: {escape_markdown(nearest)}.")
        parts.append("\n\n".join(lines))
    return Result("\n\n".join(parts))


# --- token_expiry ------------------------------------------------------------------------------


def token_expiry(request: HttpRequest, arguments: dict) -> Result:
    data = {
        "issued_at": arguments.get("issued_at", ""),
        "token_response": arguments.get("token_response", ""),
        "expires_in": str(arguments.get("expires_in", "")),
        "tz": arguments["timezone"],
    }
    form = TokenExpiryForm(data)
    if not form.is_valid():
        return Result(_form_errors(form), is_error=True)
    expiry = form.expiry(timezone.now())
    tz = form.cleaned_data["tz"]
    local = expiry.expires_at.astimezone(ZoneInfo(tz)).isoformat()
    state = "**Expired**" if expiry.expired else "**Still valid**"
    lines = [
        f"{state}: {expiry.in_words}.",
        "\n".join(
            [
                f"- Issued at: {_iso(expiry.issued_at)}",
                f"- Lifetime: {expiry.expires_in} seconds ({expiry.lifetime_in_words}), "
                f"{form.cleaned_data['lifetime_source']}",
                f"- Expires at: {_iso(expiry.expires_at)} ({local} in {tz})",
                f"- Checked at: {_iso(expiry.now)}",
            ]
        ),
    ]
    if notes := form.cleaned_data["notes"]:
        lines.append("\n".join(f"- {escape_markdown(note)}" for note in notes))
    steps = tokens.token_next_steps(expiry)
    entries = Entry.objects.published_in_bulk((s.entry_slug for s in steps), field_name="slug")
    items = []
    for step in steps:
        entry = entries.get(step.entry_slug)
        link = f" (<{request.build_absolute_uri(entry.get_absolute_url())}>)" if entry else ""
        items.append(f"- {escape_markdown(step.text)}{link}")
    lines += ["Next steps:", "\n".join(items)]
    return Result("\n\n".join(lines))


def _form_errors(form) -> str:
    """A form's errors in one plain paragraph, each after the argument it is about."""
    names = {"q": "code_or_paste", "tz": "timezone"}
    return " ".join(
        " ".join(str(e) for e in errors)
        if field == "__all__"
        else f"{names.get(field, field)}: {' '.join(str(e) for e in errors)}"
        for field, errors in form.errors.items()
    )


TIMEZONE = _string(
    "The IANA timezone to give times in as well as UTC, such as America/Los_Angeles. "
    "Defaults to UTC.",
    64,
)
TIMEZONE["default"] = "UTC"

TOOLS = {
    tool.name: tool
    for tool in [
        Tool(
            "search_knowledge_base",
            "Search the Procore API knowledge base",
            "Search the answers Procore's API support engineers wrote for the problems "
            "developers meet with the Procore API: OAuth 2.0 tokens (invalid_grant, expired or "
            "revoked tokens), CORS, the rate limit, Multiple Procore Zones, sandboxes, app "
            "management. Describe the symptom in the developer's words, or paste the error "
            "message or the response (credentials in it are removed before searching). Returns "
            "the best-matching answers, best first, each with its slug, its page URL, its "
            "Markdown URL and the sentence that matched; read a whole answer with get_entry. "
            "When the knowledge base has no answer about the query, the result starts with "
            "'answered: false' and what follows is only loosely related. "
            "For an HTTP status code or a known error message, lookup_error says more.",
            _schema(
                ["query"],
                query=_string(
                    "What to search for: a symptom, an error message, or a pasted response "
                    f"(at most {MAX_QUERY:,} characters: send the telling part of a long log).",
                    MAX_QUERY,
                    min_length=1,
                ),
                limit={
                    "type": "integer",
                    "description": f"How many answers to return, 1 to {MAX_LIMIT}.",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                },
            ),
            search_knowledge_base,
        ),
        Tool(
            "get_entry",
            "Read one answer",
            "Read one published answer of the knowledge base whole, as Markdown: the question "
            "as its heading, the answer with absolute links, its page URL and when it was last "
            "updated. Pass the slug that search_knowledge_base returned (an answer's page or "
            "Markdown URL works too).",
            _schema(
                ["slug"],
                slug=_string("The answer's slug, such as refresh-token-invalid.", MAX_SLUG, 1),
            ),
            get_entry,
        ),
        Tool(
            "lookup_error",
            "Look up a Procore API error",
            "Explain an error from the Procore API: what an HTTP status code means there, its "
            "common causes and fixes, and whether a retry is safe. Pass a status code (429), "
            "the error message the API sent, or the raw response (status line and headers, "
            "body optional): for a 429 or 503 it reads the rate-limit headers "
            "(X-Rate-Limit-Limit, X-Rate-Limit-Remaining, X-Rate-Limit-Reset, Retry-After) and "
            "says when the client may retry. Nothing sent is stored.",
            _schema(
                ["code_or_paste"],
                code_or_paste=_string(
                    "A status code, an error message, or a raw HTTP response "
                    f"(at most {MAX_LOOKUP:,} characters).",
                    MAX_LOOKUP,
                    min_length=1,
                ),
                timezone=TIMEZONE,
            ),
            lookup_error,
        ),
        Tool(
            "token_expiry",
            "Work out when an access token expires",
            "Work out when a Procore OAuth 2.0 access token expires (or how long ago it did), "
            "and what to do next. Give either issued_at (when the token was issued) or "
            "token_response (the JSON from POST /oauth/token; its created_at and expires_in "
            "are used, and it is never stored: blank out the tokens first if you like). "
            "Without expires_in the usual lifetime of Procore access tokens is assumed.",
            _schema(
                [],
                issued_at=_string(
                    "When the token was issued: an ISO 8601 date-time with an offset "
                    "(2025-03-04T10:00:00Z) or Unix seconds.",
                    100,
                ),
                token_response=_string(
                    "The JSON response of POST /oauth/token, instead of issued_at "
                    f"(at most {MAX_TOKEN_RESPONSE:,} characters).",
                    MAX_TOKEN_RESPONSE,
                ),
                expires_in={
                    "type": "integer",
                    "description": "The token's lifetime in seconds (expires_in); a pasted "
                    "response's own expires_in wins.",
                    "minimum": 1,
                    "maximum": tokens.MAX_LIFETIME,
                },
                timezone=TIMEZONE,
            ),
            token_expiry,
        ),
    ]
}
