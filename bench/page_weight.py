"""Page weight: what a browser downloads to show a page.

For each page it fetches the HTML and everything the HTML makes the browser load (stylesheets,
scripts, images, icons, and what the CSS imports), the way a browser that accepts gzip and br
would, and counts the bytes as they come over the wire: compressed bodies, and the same plus
response headers. Links a browser does not fetch on page load (the feed, the OpenSearch
description) are not counted. It then checks the repeat view: the hashed static files are
`immutable`, so only the HTML is asked for again, and it should come back as a 304.

    make weight                                        # build a throwaway site and measure it
    python bench/page_weight.py --serve --port 8003    # the same, on a chosen port
    python bench/page_weight.py http://127.0.0.1:8000/ http://127.0.0.1:8000/faq/rate-limit-429/

With --serve it does what `make run` does in a temporary KB_DATA_DIR (manage.py setup_site,
gunicorn with deploy/gunicorn.conf.py and DEBUG off), measures, and stops the server it started.
"""

import argparse
import gzip
import http.cookiejar
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

try:
    import brotli
except ImportError:  # the sizes on the wire are still right; only "uncompressed" is unknown
    brotli = None

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.throwaway_site import throwaway_site  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATHS = ["/", "/faq/rate-limit-429/"]
ACCEPT_ENCODING = "gzip, br"
# <link rel=...> values that make a browser fetch the target while loading the page.
LOADED_LINK_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "preload",
    "modulepreload",
}
CSS_URL_RE = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


@dataclass
class Resource:
    url: str
    status: int
    encoding: str
    body_bytes: int
    header_bytes: int
    decoded: bytes
    etag: str | None

    @property
    def transferred(self) -> int:
        return self.body_bytes + self.header_bytes


class _AssetFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        rels = set((attributes.get("rel") or "").lower().split())
        if tag == "link" and rels & LOADED_LINK_RELS and attributes.get("href"):
            self.urls.append(attributes["href"])
        elif tag in ("script", "img", "source") and attributes.get("src"):
            self.urls.append(attributes["src"])


def _decode(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body) if brotli else b""
    return body


def fetch(opener: urllib.request.OpenerDirector, url: str, **headers: str) -> Resource:
    request = urllib.request.Request(url, headers={"Accept-Encoding": ACCEPT_ENCODING, **headers})
    try:
        response = opener.open(request, timeout=30)
    except urllib.error.HTTPError as error:  # a 304 arrives as an "error"
        response = error
    with response:
        body = response.read()
        status = response.status if hasattr(response, "status") else response.code
        reason = getattr(response, "reason", "")
        status_line = f"HTTP/1.1 {status} {reason}\r\n"
        header_bytes = len(status_line.encode()) + len(response.headers.as_bytes())
        encoding = response.headers.get("Content-Encoding", "")
        etag = response.headers.get("ETag")
    return Resource(url, status, encoding, len(body), header_bytes, _decode(body, encoding), etag)


def assets_of(page: Resource) -> list[str]:
    finder = _AssetFinder()
    finder.feed(page.decoded.decode("utf-8", "replace"))
    return [urljoin(page.url, url) for url in finder.urls]


def measure_page(url: str) -> list[Resource]:
    """The page and every asset it loads, each fetched once (as a browser's cache would)."""
    opener = urllib.request.build_opener()
    page = fetch(opener, url)
    resources = [page]
    queue, seen = assets_of(page), {url}
    while queue:
        asset_url = queue.pop(0)
        if asset_url in seen:
            continue
        seen.add(asset_url)
        asset = fetch(opener, asset_url)
        resources.append(asset)
        if asset_url.split("?")[0].endswith(".css"):
            css = asset.decoded.decode("utf-8", "replace")
            queue += [urljoin(asset_url, a or b) for a, b in CSS_URL_RE.findall(css)]
    return resources


def repeat_view(url: str) -> Resource | None:
    """The HTML as a returning visitor gets it: a conditional request with the page's ETag."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    etag = fetch(opener, url).etag  # public pages have their ETag from the first visit
    if not etag:
        return None
    return fetch(opener, url, **{"If-None-Match": etag})


def report(url: str) -> str:
    resources = measure_page(url)
    lines = [
        f"## {url}",
        "",
        "| resource | status | encoding | body on the wire | with headers | uncompressed |",
        "|---|---|---|---:|---:|---:|",
    ]
    for resource in resources:
        lines.append(
            f"| {urlsplit(resource.url).path} "
            f"| {resource.status} | {resource.encoding or 'none'} | {resource.body_bytes:,} "
            f"| {resource.transferred:,} | {len(resource.decoded):,} |"
        )
    body = sum(r.body_bytes for r in resources)
    total = sum(r.transferred for r in resources)
    raw = sum(len(r.decoded) for r in resources)
    lines.append(
        f"| **total, {len(resources)} requests** | | | **{body:,}** | **{total:,}** | {raw:,} |"
    )
    again = repeat_view(url)
    if again is not None:
        lines += [
            "",
            f"Repeat view: the HTML revalidates with status {again.status}, "
            f"{again.transferred:,} bytes with headers; the static files come from the browser's "
            "cache without a request (they are hashed and `immutable`).",
        ]
    return "\n".join(lines)


def serve_and_report(port: int, paths: list[str]) -> str:
    with throwaway_site(port) as base_url:
        return "\n\n".join(report(base_url + path) for path in paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="*", help="pages of a running site to measure")
    parser.add_argument("--serve", action="store_true", help="build and serve a throwaway site")
    parser.add_argument("--port", type=int, default=0, help="with --serve; default: a free one")
    parser.add_argument("--path", action="append", help=f"with --serve; default: {DEFAULT_PATHS}")
    args = parser.parse_args()
    if args.serve:
        print(serve_and_report(args.port, args.path or DEFAULT_PATHS))
    elif args.urls:
        print("\n\n".join(report(url) for url in args.urls))
    else:
        parser.error("give the URLs of pages to measure, or --serve")


if __name__ == "__main__":
    main()
