"""/llms.txt and /llms-full.txt: the whole knowledge base as coding assistants read it.

llms.txt follows the proposal at https://llmstxt.org: the site's name as the one `#` heading,
a one-paragraph summary as a blockquote, a paragraph on how to read the rest, then one `##`
section per category listing the Markdown twins of its entries (each `- [question](url):
one-line description`), a section for the error codes, and an "Optional" section with the two
big documents a reader may skip. llms-full.txt is every published answer and every error code
in one document, their headings nested under their category's.

Pure functions of the published categories (their published entries prefetched), the error
codes (`ErrorCode.objects.for_pages()`) and `absolute`.
"""

from collections.abc import Iterable

from django.urls import reverse

from kb.content.models import Category
from kb.content.twins import (
    Absolute,
    category_markdown_url,
    entry_markdown,
    entry_markdown_url,
    escape_markdown,
    link_item,
)
from kb.tools.error_documents import ERROR_SET_NAME, code_markdown, error_list
from kb.tools.models import ErrorCode

SITE_NAME = "Procore API knowledge base"
SUMMARY = (
    "Answers to the problems developers meet when they integrate with the Procore API "
    "(OAuth 2.0 tokens, CORS, the rate limit, Multiple Procore Zones, sandboxes, app "
    "management), written by Procore's API support engineers, and a page for each HTTP "
    "status code the API documents: what it means, its common causes and fixes, and whether "
    "a retry is safe."
)


def _how_to_read(absolute: Absolute) -> str:
    search = absolute(reverse("search"))
    return (
        "Every link below is a Markdown document; the same address without `.md` is the page "
        "people read. Each answer is complete on its own. To find the answer to an error, "
        f"search with the status code or the message: <{search}?q=invalid_grant>."
    )


def _mcp_server(absolute: Absolute) -> str:
    return (
        "Coding assistants can also search it, read answers, look up error codes and work out "
        f"a token's expiry through its MCP server, <{absolute(reverse('mcp'))}>: setup for "
        f"Claude Code, Cursor and VS Code in <{absolute(reverse('mcp_setup_markdown'))}>."
    )


def llms_txt(
    categories: Iterable[Category], error_codes: Iterable[ErrorCode], absolute: Absolute
) -> str:
    parts = [f"# {SITE_NAME}", f"> {SUMMARY}", _how_to_read(absolute), _mcp_server(absolute)]
    for category in categories:
        entries = category.entries.all()
        items = [
            link_item(
                f"Every question in {category.name}",
                category_markdown_url(category, absolute),
                category.description,
            ),
            *(
                link_item(entry.question, entry_markdown_url(entry, absolute), entry.summary())
                for entry in entries
            ),
        ]
        parts += [f"## {escape_markdown(category.name)}", "\n".join(items)]
    index = link_item(
        "Every error code and known error message",
        absolute(reverse("error_index_markdown")),
        "the status codes below and the messages the API sends with them",
    )
    parts += ["## Error codes", "\n".join([index, error_list(error_codes, absolute)])]
    parts += [
        "## Optional",
        "\n".join(
            [
                link_item(
                    "Every answer in one document",
                    absolute(reverse("llms_full_txt")),
                    "all the answers and error codes above, for a context that can hold them",
                ),
                link_item(
                    "Every error code as JSON",
                    absolute(reverse("errors_json")),
                    "for programs: a stable shape, documented in the README",
                ),
            ]
        ),
    ]
    return "\n\n".join(parts) + "\n"


def llms_full_txt(
    categories: Iterable[Category], error_codes: Iterable[ErrorCode], absolute: Absolute
) -> str:
    parts = [f"# {SITE_NAME}", f"> {SUMMARY}"]
    for category in categories:
        parts.append(f"## {escape_markdown(category.name)}")
        if category.description:
            parts.append(escape_markdown(category.description))
        parts += [entry_markdown(entry, absolute, level=3) for entry in category.entries.all()]
    parts.append(f"## {ERROR_SET_NAME}")
    parts += [code_markdown(code, absolute, level=3) for code in error_codes]
    return "\n\n".join(parts) + "\n"
