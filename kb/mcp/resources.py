"""The MCP resources: /llms.txt and each published answer's Markdown twin, at the same
absolute URLs the site serves them at, so a resource's URI is also a link anyone can open.

Only published entries are listed or read, whoever asks: as for the twins themselves.
"""

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import Resolver404, resolve, reverse

from kb.content import twins
from kb.content.models import Category, Entry
from kb.mcp.protocol import INVALID_PARAMS, RESOURCE_NOT_FOUND, RpcError
from kb.pages import llms
from kb.tools.models import ErrorCode

MARKDOWN = "text/markdown"
# Entries per resources/list page; the cursor is the last slug of the page before.
PAGE_SIZE = 100
MAX_URI = 2000
MAX_CURSOR = 300


def _llms_txt(request: HttpRequest) -> dict:
    return {
        "uri": request.build_absolute_uri(reverse("llms_txt")),
        "name": "llms.txt",
        "title": "Every answer and error code, listed (llms.txt)",
        "description": "The knowledge base's index for assistants: each published answer and "
        "each documented error code, with a link to its Markdown.",
        "mimeType": MARKDOWN,
    }


def _entry(request: HttpRequest, entry: Entry) -> dict:
    return {
        "uri": twins.entry_markdown_url(entry, request.build_absolute_uri),
        "name": entry.slug,
        "title": entry.question,
        "description": entry.summary(),
        "mimeType": MARKDOWN,
    }


def list_resources(request: HttpRequest, params: dict) -> dict:
    cursor = params.get("cursor")
    if cursor is not None and (not isinstance(cursor, str) or len(cursor) > MAX_CURSOR):
        raise RpcError(INVALID_PARAMS, "The cursor is not one this server gave.")
    entries = Entry.objects.published().order_by("slug")
    resources = [] if cursor else [_llms_txt(request)]
    if cursor:
        entries = entries.filter(slug__gt=cursor)
    page = list(entries[: PAGE_SIZE + 1])
    resources += [_entry(request, entry) for entry in page[:PAGE_SIZE]]
    result = {"resources": resources}
    if len(page) > PAGE_SIZE:
        result["nextCursor"] = page[PAGE_SIZE - 1].slug
    return result


def list_templates(request: HttpRequest, params: dict) -> dict:
    example = reverse("entry_markdown", args=["SLUG"])
    return {
        "resourceTemplates": [
            {
                "uriTemplate": request.build_absolute_uri(example).replace("SLUG", "{slug}"),
                "name": "entry",
                "title": "One answer as Markdown, by its slug",
                "description": "The slugs are those search_knowledge_base returns.",
                "mimeType": MARKDOWN,
            }
        ]
    }


def read_resource(request: HttpRequest, params: dict) -> dict:
    uri = params.get("uri")
    if not isinstance(uri, str) or not uri or len(uri) > MAX_URI:
        raise RpcError(
            INVALID_PARAMS, f"resources/read needs a uri (at most {MAX_URI} characters)."
        )
    parts = urlsplit(uri)
    not_found = RpcError(
        RESOURCE_NOT_FOUND,
        "No such resource: resources/list lists them (llms.txt and each published answer).",
        data={"uri": uri[:200]},
    )
    if parts.netloc.lower() != request.get_host().lower():
        raise not_found
    try:
        match = resolve(parts.path)
    except Resolver404:
        raise not_found from None
    absolute = request.build_absolute_uri
    if match.url_name == "llms_txt":
        text = llms.llms_txt(
            Category.objects.with_every_published_entry(), ErrorCode.objects.for_pages(), absolute
        )
    elif match.url_name == "entry_markdown":
        entry = (
            Entry.objects.published()
            .select_related("category")
            .filter(slug=match.kwargs["slug"])
            .first()
        )
        if entry is None:
            raise not_found
        text = twins.entry_markdown(entry, absolute)
    else:
        raise not_found
    return {"contents": [{"uri": uri, "mimeType": MARKDOWN, "text": text}]}
