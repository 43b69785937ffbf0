"""Markdown to safe HTML: the one place answers are rendered.

Support engineers write Markdown; what reaches a page is sanitized by nh3, so
`<script>`, event-handler attributes and `javascript:` URLs never get through.
"""

import html

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "kbd", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "a", "table", "thead", "tbody",
    "tr", "th", "td", "img", "del", "sup", "sub", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "code": {"class"},
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    html = markdown_lib.markdown(
        text,
        extensions=["tables", "fenced_code", "sane_lists", "toc"],
        extension_configs={"toc": {"permalink": False}},
        output_format="html",
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def markdown_to_text(text: str) -> str:
    """The answer as plain text, for snippets, meta descriptions and the search index."""
    return html.unescape(nh3.clean(render_markdown(text), tags=set())).strip()
