"""Reading HTML in tests through a parser: elements by tag, id or class, with their text."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list["Element"] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def find_all(self, tag: str | None = None, *, id: str | None = None, cls: str | None = None):
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
    def words(self) -> str:
        """The text with its white space collapsed, as a reader sees it."""
        return " ".join(self.text.split())


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        for element in self.stack:
            element.text += data


def parse(html: str | bytes) -> Element:
    if isinstance(html, bytes):
        html = html.decode()
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
