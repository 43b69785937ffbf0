"""Reading pages through a parser: their <head> links, JSON-LD scripts and links."""

from html.parser import HTMLParser


class _PageParser(HTMLParser):
    """Collects the <link> tags of <head>, the JSON-LD scripts and the links of a page."""

    def __init__(self):
        super().__init__()
        self.head_links: list[dict] = []
        self.json_ld: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, text) of every <a href>
        self._in_head = False
        self._in_json_ld = False
        self._link_text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif tag == "link" and self._in_head:
            self.head_links.append(attributes)
        elif tag == "script" and attributes.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")
        elif tag == "a" and "href" in attributes:
            self.links.append((attributes["href"], ""))
            self._link_text = []

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        elif tag == "script":
            self._in_json_ld = False
        elif tag == "a" and self._link_text is not None:
            href, _ = self.links[-1]
            self.links[-1] = (href, " ".join("".join(self._link_text).split()))
            self._link_text = None

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data
        if self._link_text is not None:
            self._link_text.append(data)


def parse_page(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser
