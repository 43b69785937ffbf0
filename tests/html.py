"""Reading a page the way a reader sees it: elements found by tag, class or id, with their text.

A small helper on the standard library's HTMLParser, so tests assert on what a page shows
(an element's text, a link's href) rather than slicing the markup.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    marked: list[str] = field(default_factory=list)  # the text of <mark> elements inside it
    links: list[dict[str, str]] = field(default_factory=list)  # its <a>: href and text

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class _Finder(HTMLParser):
    def __init__(self, tag: str | None, class_: str | None, id_: str | None):
        super().__init__(convert_charrefs=True)
        self.wanted = (tag, class_, id_)
        self.found: list[Element] = []
        self.open: list[tuple[Element, int]] = []  # matching elements still open, at a depth
        self.depth = 0
        self.mark_depth = None
        self.link_depth = None

    def _matches(self, tag: str, attrs: dict[str, str]) -> bool:
        tag_wanted, class_wanted, id_wanted = self.wanted
        return (
            (tag_wanted is None or tag == tag_wanted)
            and (class_wanted is None or class_wanted in (attrs.get("class") or "").split())
            and (id_wanted is None or attrs.get("id") == id_wanted)
        )

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if self._matches(tag, attributes):
            element = Element(tag, attributes)
            self.found.append(element)
            if tag not in VOID:
                self.open.append((element, self.depth))
        if tag in VOID:
            return
        self.depth += 1
        if tag == "mark":
            self.mark_depth = self.depth
            for element, _ in self.open:
                element.marked.append("")
        if tag == "a":
            self.link_depth = self.depth
            for element, _ in self.open:
                element.links.append({"href": attributes.get("href", ""), "text": ""})

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.mark_depth == self.depth:
            self.mark_depth = None
        if self.link_depth == self.depth:
            self.link_depth = None
        self.depth -= 1
        while self.open and self.open[-1][1] >= self.depth:
            element, _ = self.open.pop()
            element.text = " ".join(element.text.split())

    def handle_data(self, data):
        for element, _ in self.open:
            element.text += data
            if self.mark_depth is not None and element.marked:
                element.marked[-1] += data
            if self.link_depth is not None and element.links:
                element.links[-1]["text"] += data


def find_all(
    html: str, tag: str | None = None, class_: str | None = None, id: str | None = None
) -> list[Element]:
    """Every element of the page with this tag, class and id (each optional), in order."""
    finder = _Finder(tag, class_, id)
    finder.feed(html)
    finder.close()
    for element, _ in finder.open:  # left open by the page: still report their text
        element.text = " ".join(element.text.split())
    return finder.found


def find(html: str, tag: str | None = None, class_: str | None = None, id: str | None = None):
    """The one element with this tag, class and id; fails when there is none or several."""
    found = find_all(html, tag, class_, id)
    assert len(found) == 1, f"{len(found)} elements match {tag=} {class_=} {id=}"
    return found[0]
