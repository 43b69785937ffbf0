"""Markdown twins: entries and categories as Markdown documents, for tools and assistants.

An entry's twin is its question as a heading and its answer as the author wrote it, with two
changes so that it reads right outside the site: every link is absolute (a relative link in an
answer means nothing in an editor or a chat), and a `# heading` in the answer becomes `##`, as
on the HTML page, whose only `<h1>` is the question. A category's twin lists its questions,
each a link to that entry's twin.

Pure functions of the objects and of `absolute`, which turns a path into an absolute URL
(`request.build_absolute_uri`); only published entries are ever given to them.
"""

import re
from collections.abc import Callable, Iterable
from urllib.parse import urljoin

from django.urls import reverse

from kb.content.models import Category, Entry

Absolute = Callable[[str], str]

# Fenced code blocks and inline code spans are examples, not links: they are left alone.
FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# [text](destination "title") and ![alt](destination): the destination, bare or in <…>.
INLINE_LINK_RE = re.compile(r"(\]\(\s*)(?:<([^<>\n]*)>|((?:[^\s()<>]|\([^\s()]*\))+))")
# [label]: destination "title"
REFERENCE_RE = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*)(?:<([^<>\n]*)>|(\S+))", re.MULTILINE)
# href="…" and src="…" in raw HTML.
HTML_URL_RE = re.compile(r"""(<[a-zA-Z][^<>]*?\b(?:href|src)\s*=\s*)(["'])(.*?)\2""")
ATX_HEADING_RE = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
SETEXT_UNDERLINE_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
# Lines a setext underline cannot turn into a heading: list items, quotes, headings, tables.
NOT_A_SETEXT_TITLE_RE = re.compile(r"^\s*$|^ {0,3}([-*+>#|]|[0-9]+[.)])")
# What would change meaning in Markdown if plain text (a question, an error's cause) held it.
MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*\[\]<>])")
# The levels an answer's headings start from: a `#` in an answer is an `<h2>` on the page.
ANSWER_TOP_LEVEL = 2


def escape_markdown(text: str) -> str:
    """Plain text made safe to put in Markdown: `<token>` stays text, `*` is not emphasis.

    Underscores are left alone: inside words (grant_type) they never mean emphasis, and API
    names are full of them.
    """
    return MARKDOWN_SPECIAL_RE.sub(r"\\\1", " ".join(text.split()))


def _outside_code(text: str, rewrite: Callable[[str], str]) -> str:
    """Apply `rewrite` to the lines outside fenced code blocks, a run of lines at a time."""
    out, prose, fence = [], [], None
    for line in text.split("\n"):
        opening = FENCE_RE.match(line)
        if fence is None and opening:
            if prose:
                out.append(rewrite("\n".join(prose)))
            prose, fence = [], opening[1]
            out.append(line)
        elif fence is not None:
            out.append(line)
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
        else:
            prose.append(line)
    if prose:
        out.append(rewrite("\n".join(prose)))
    return "\n".join(out)


def _outside_code_spans(text: str, rewrite: Callable[[str], str]) -> str:
    parts, last = [], 0
    for span in CODE_SPAN_RE.finditer(text):
        parts += [rewrite(text[last : span.start()]), span[0]]
        last = span.end()
    return "".join([*parts, rewrite(text[last:])])


def absolute_links(text: str, page_url: str) -> str:
    """Every link and image in Markdown made absolute, read as the page at `page_url` reads it.

    Inline links, reference definitions and raw HTML href/src are rewritten; URLs that are
    absolute already (https:, mailto:) are unchanged, and code is left alone.
    """

    def resolve(match: re.Match, bracketed: int, bare: int) -> str:
        if match[bracketed] is not None:
            return f"{match[1]}<{urljoin(page_url, match[bracketed])}>"
        return f"{match[1]}{urljoin(page_url, match[bare])}"

    def rewrite(prose: str) -> str:
        prose = REFERENCE_RE.sub(lambda m: resolve(m, 2, 3), prose)
        prose = INLINE_LINK_RE.sub(lambda m: resolve(m, 2, 3), prose)
        return HTML_URL_RE.sub(lambda m: f"{m[1]}{m[2]}{urljoin(page_url, m[3])}{m[2]}", prose)

    return _outside_code(text, lambda prose: _outside_code_spans(prose, rewrite))


def nest_headings(text: str, parent_level: int) -> str:
    """The answer's headings placed under a heading of `parent_level`.

    The answer's top level is `##` (a `#` counts as `##`, as on the page), and it becomes
    `parent_level + 1`; deeper ones follow, never past `######`. Setext headings (a line
    underlined with === or ---) become ATX headings, so that they move too.
    """
    shift = parent_level + 1 - ANSWER_TOP_LEVEL

    def heading(level: int, title: str, indent: str = "") -> str:
        level = min(max(level, ANSWER_TOP_LEVEL) + shift, 6)
        return f"{indent}{'#' * level}{title}"

    def rewrite(prose: str) -> str:
        lines = prose.split("\n")
        out: list[str] = []
        for number, line in enumerate(lines):
            underline = SETEXT_UNDERLINE_RE.match(line)
            previous = lines[number - 1] if number else ""
            if underline and out and not NOT_A_SETEXT_TITLE_RE.match(previous):
                out[-1] = heading(1 if underline[1][0] == "=" else 2, " " + previous.strip())
            elif match := ATX_HEADING_RE.match(line):
                out.append(heading(len(match[2]), line[match.end() :], match[1]))
            else:
                out.append(line)
        return "\n".join(out)

    return _outside_code(text, rewrite)


def entry_markdown_url(entry: Entry, absolute: Absolute) -> str:
    return absolute(reverse("entry_markdown", args=[entry.slug]))


def category_markdown_url(category: Category, absolute: Absolute) -> str:
    return absolute(reverse("category_markdown", args=[category.slug]))


def link_item(title: str, url: str, description: str = "") -> str:
    """A Markdown list item linking to `url`, with a one-line description after a colon."""
    item = f"- [{escape_markdown(title)}]({url})"
    return f"{item}: {escape_markdown(description)}" if description else item


def entry_markdown(entry: Entry, absolute: Absolute, level: int = 1) -> str:
    """The entry as Markdown: the question as a heading of `level`, then the answer."""
    page_url = absolute(entry.get_absolute_url())
    category = entry.category
    return "\n\n".join(
        [
            f"{'#' * level} {escape_markdown(entry.question)}",
            nest_headings(absolute_links(entry.answer, page_url), level).strip(),
            f"Source: <{page_url}> · Category: [{escape_markdown(category.name)}]"
            f"({category_markdown_url(category, absolute)}) · "
            f"Updated {entry.updated.date().isoformat()}",
        ]
    )


def category_markdown(
    category: Category, entries: Iterable[Entry], absolute: Absolute, level: int = 1
) -> str:
    """The category as Markdown: its name, its description and a link to each question."""
    parts = [f"{'#' * level} {escape_markdown(category.name)}"]
    if category.description:
        parts.append(escape_markdown(category.description))
    parts.append(
        "\n".join(
            link_item(entry.question, entry_markdown_url(entry, absolute), entry.summary())
            for entry in entries
        )
    )
    parts.append(f"Source: <{absolute(category.get_absolute_url())}>")
    return "\n\n".join(parts)
