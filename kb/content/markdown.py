"""Markdown to safe HTML: the one place answers are rendered.

Support engineers write Markdown; what reaches a page is sanitized by nh3, so
`<script>`, event-handler attributes and `javascript:` URLs never get through.
"""

import html
import re
import secrets

import markdown as markdown_lib
import nh3
from markdown.extensions import toc
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

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
H1_TAG = re.compile(r"<(/?)h1\b")
# Code and tables wider than the page (a long command, a token in a cell) scroll inside their
# own box instead of widening the page, and can take focus so the keyboard can scroll them.
# Added after sanitizing: an author's own <div> or tabindex never gets through. Code is
# escaped by then, so only real tags match.
PRE_TAG = re.compile(r"<pre>")
TABLE = re.compile(r"<table>.*?</table>", re.DOTALL)
TABLE_SCROLL = '<div class="table-scroll" tabindex="0">{}</div>'

# Every heading gets a visible "#" link to itself (the toc extension's permalink), so a
# reader can share a section. The extension marks its links with a class made anew for each
# rendering, the only class nh3 keeps; it becomes HEADING_ANCHOR_CLASS after sanitizing. An
# author's own <a class="heading-anchor" href="https://…"> cannot know that class and loses
# its own, so nothing in an answer can pose as site UI.
HEADING_ANCHOR_CLASS = "heading-anchor"
HEADING_ANCHOR = {"permalink": "#", "permalink_title": "Link to this section"}
# Highlighted code is Pygments' token spans, coloured by classes in site.css (never style=,
# which the Content-Security-Policy forbids): a span keeps `class` only when it is a token's.
TOKEN_CLASSES = {name for name in STANDARD_TYPES.values() if name}
# Images only from the site itself: the Content-Security-Policy (img-src 'self' data:) would
# block any other, leaving a broken image, so another site's image is dropped here and its
# alt text kept. A path on this site (`/static/…`) is the only kind of src kept.
LOCAL_SRC = re.compile(r"/(?![/\\])")
IMG_TAG = re.compile(r'<img(?:\s+[\w:-]+(?:="[^"]*")?)*\s*/?>')
IMG_SRC = re.compile(r'\ssrc="')
IMG_ALT = re.compile(r'\salt="([^"]*)"')
# Heading ids inside answers start with this, so that a "## Feedback" in an answer can never
# take an id the page itself uses (id="feedback", id="main"…) and break its links or scripts.
HEADING_ID_PREFIX = "answer-"


# A fenced block with a language, as the fenced_code extension writes it (code escaped).
FENCED_CODE = re.compile(
    r'<pre><code class="language-([A-Za-z0-9_+.#-]+)">(.*?)</code></pre>', re.DOTALL
)
# The same block after sanitizing, to put the language's name above it.
SANITIZED_CODE = re.compile(
    r'<pre tabindex="0"><code class="language-([A-Za-z0-9_+.#-]+)">.*?</code></pre>', re.DOTALL
)
CODE_SAMPLE = '<div class="code-sample"><p class="code-language">{}</p>{}</div>'
# The names readers know, where Pygments' own differs ("Bash" for a curl command).
LANGUAGE_NAMES = {"sh": "Shell", "shell": "Shell", "bash": "Shell", "console": "Shell"}
TOKEN_SPANS = HtmlFormatter(nowrap=True, noclasses=False)


def _lexer(language: str):
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


def _highlight(match: re.Match) -> str:
    """A fence's code as Pygments' token spans; a language Pygments does not know stays plain."""
    lexer = _lexer(match[1])
    if lexer is None:
        return match[0]
    spans = highlight(html.unescape(match[2]), lexer, TOKEN_SPANS)
    return f'<pre><code class="language-{match[1]}">{spans}</code></pre>'


def _language_label(match: re.Match) -> str:
    lexer = _lexer(match[1])
    if lexer is None:
        return match[0]
    name = LANGUAGE_NAMES.get(match[1].lower(), lexer.name)
    return CODE_SAMPLE.format(html.escape(name), match[0])


def _heading_id(value: str, separator: str) -> str:
    return HEADING_ID_PREFIX + toc.slugify(value, separator)


def _local_images_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not LOCAL_SRC.match(value):
        return None
    return value


def _image_or_its_alt(match: re.Match) -> str:
    image = match[0]
    if IMG_SRC.search(image):
        return image
    alt = IMG_ALT.search(image)
    # Attribute values are escaped only for quotes and ampersands: escape the text anew.
    return html.escape(html.unescape(alt[1])) if alt else ""


def _to_html(text: str, heading_anchors: bool, code: bool = True) -> str:
    anchor_class = f"kb-anchor-{secrets.token_hex(8)}"
    anchors = {**HEADING_ANCHOR, "permalink_class": anchor_class}
    html = markdown_lib.markdown(
        text,
        extensions=["tables", "fenced_code", "sane_lists", "toc"],
        extension_configs={
            "toc": {
                **(anchors if heading_anchors else {"permalink": False}),
                "slugify": _heading_id,
            }
        },
        output_format="html",
    )
    # The page's <h1> is the question, so a "# Title" in an answer becomes an <h2> (an
    # allowed tag) instead of losing its heading. Code is escaped by now: only tags match.
    html = H1_TAG.sub(r"<\1h2", html)
    if code:
        html = FENCED_CODE.sub(_highlight, html)
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes={"a": {anchor_class}, "span": TOKEN_CLASSES},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_local_images_only,
    )
    html = html.replace(f'class="{anchor_class}"', f'class="{HEADING_ANCHOR_CLASS}"')
    html = IMG_TAG.sub(_image_or_its_alt, html)
    html = PRE_TAG.sub('<pre tabindex="0">', html)
    # The fence's language, named above its code (after sanitizing: no author can forge it).
    if code:
        html = SANITIZED_CODE.sub(_language_label, html)
    return TABLE.sub(lambda match: TABLE_SCROLL.format(match[0]), html)


def render_markdown(text: str) -> str:
    return _to_html(text, heading_anchors=True)


def markdown_to_text(text: str) -> str:
    """The answer as plain text, for snippets, meta descriptions and the search index.

    Rendered without heading anchors, so no stray "#" ends up in a summary or the index, and
    without code blocks: a snippet of a curl command or a search match on `import time` helps
    nobody, and the prose around a sample says what it is for.
    """
    plain = _to_html(text, heading_anchors=False, code=False)
    return html.unescape(nh3.clean(plain, tags=set(), clean_content_tags={"pre"})).strip()
