"""Reading a page the way a reader sees it, through the standard library's HTMLParser, so tests
assert on what a page shows (an element's text, its links, the words marked in it, the <head>
links, the JSON-LD) rather than slicing the markup.

    page = parse(html)                      the document as a tree of Elements
    page.find("p", cls="snippet").text      the first match's text, white space collapsed
    page.find("section", id="x").markup     its markup as the page has it, tags and all
    find_all(html, "aside", "lookup-offer") every element with that tag and class
    find(html, "h1")                        the one element that matches, or the test fails
    parse_page(html).json_ld                what crawlers read: head links, JSON-LD, links
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    raw_text: str = ""
    children: list["Element"] = field(default_factory=list)
    # Where the element stands in the page's source, from its start tag to its end tag.
    source: str = field(default="", repr=False)
    start: int = 0
    end: int | None = None

    @property
    def markup(self) -> str:
        """The element's markup as the page has it, for what its text cannot show (a tag, an
        attribute): the parser finds the element, no slicing at a guessed string."""
        return self.source[self.start : self.end]

    @property
    def text(self) -> str:
        """The text with its white space collapsed, as a reader sees it."""
        return " ".join(self.raw_text.split())

    words = text

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def find_all(self, tag: str | None = None, *, id: str | None = None, cls: str | None = None):
        """Every element below this one with this tag, id and class (each optional), in order."""
        found = []
        for child in self.children:
            if (
                (tag is None or child.tag == tag)
                and (id is None or child.attrs.get("id") == id)
                and (cls is None or cls in child.classes)
            ):
                found.append(child)
            found += child.find_all(tag, id=id, cls=cls)
        return found

    def find(self, tag: str | None = None, *, id: str | None = None, cls: str | None = None):
        found = self.find_all(tag, id=id, cls=cls)
        assert found, f"no <{tag or '*'} id={id} class={cls}> in the page"
        return found[0]

    @property
    def links(self) -> list[dict[str, str]]:
        """Its links: the href and text of each <a> inside it."""
        return [
            {"href": link.attrs.get("href", ""), "text": link.text} for link in self.find_all("a")
        ]

    @property
    def marked(self) -> list[str]:
        """The text of each <mark> inside it."""
        return [mark.text for mark in self.find_all("mark")]


class _TreeBuilder(HTMLParser):
    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source
        self.root = Element("#document", {}, source=source)
        self.stack = [self.root]
        self.line_starts = [0]
        for line in source.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def element(self, tag, attrs) -> Element:
        attributes = {name: value or "" for name, value in attrs}
        return Element(tag, attributes, source=self.source, start=self.position())

    def handle_starttag(self, tag, attrs):
        element = self.element(tag, attrs)
        self.stack[-1].children.append(element)
        if tag in VOID:
            element.end = self.source.index(">", element.start) + 1
        else:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        element = self.element(tag, attrs)
        element.end = self.source.index(">", element.start) + 1
        self.stack[-1].children.append(element)

    def handle_endtag(self, tag):
        start = self.position()
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                self.stack[depth].end = self.source.index(">", start) + 1
                for unclosed in self.stack[depth + 1 :]:
                    unclosed.end = start
                del self.stack[depth:]
                return

    def handle_data(self, data):
        for element in self.stack:
            element.raw_text += data


def parse(html: str | bytes) -> Element:
    if isinstance(html, bytes):
        html = html.decode()
    builder = _TreeBuilder(html)
    builder.feed(html)
    builder.close()
    return builder.root


def find_all(
    html: str, tag: str | None = None, class_: str | None = None, id: str | None = None
) -> list[Element]:
    """Every element of the page with this tag, class and id (each optional), in order."""
    return parse(html).find_all(tag, id=id, cls=class_)


def find(html: str, tag: str | None = None, class_: str | None = None, id: str | None = None):
    """The one element with this tag, class and id; fails when there is none or several."""
    found = find_all(html, tag, class_, id)
    assert len(found) == 1, f"{len(found)} elements match {tag=} {class_=} {id=}"
    return found[0]


@dataclass
class Page:
    """What crawlers and tools read of a page besides its text."""

    head_links: list[dict[str, str]]  # the attributes of each <link> in <head>
    json_ld: list[str]  # the content of each JSON-LD script
    links: list[tuple[str, str]]  # (href, text) of every <a href>


def parse_page(html: str) -> Page:
    root = parse(html)
    heads = root.find_all("head")
    return Page(
        head_links=[link.attrs for head in heads for link in head.find_all("link")],
        json_ld=[
            script.raw_text
            for script in root.find_all("script")
            if script.attrs.get("type") == "application/ld+json"
        ],
        links=[(a.attrs["href"], a.text) for a in root.find_all("a") if "href" in a.attrs],
    )
