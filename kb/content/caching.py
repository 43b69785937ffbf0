"""HTTP caching for the public pages: kept on the server, and by browsers and shared caches.

A public page (home, categories, entries, the error pages, the Markdown twins, llms.txt) shows
only published content, so it is the same for every anonymous visitor: it embeds no CSRF token
(the vote form checks where a post comes from instead, kb/web/origin.py) and sets no cookie.
`@shared_page` on such a view:

- keeps the rendered page in this process's page cache (`CACHES["pages"]`, memory) under a key
  made of the content version (kb/content/versions.py: one row read per request, shared by all
  nodes through the database, renewed by every change to what pages show), the release, the
  date, the view, the path and the query parameters the page reads. An edit in the admin
  changes the version, so the next request on any node renders the page again;
- sends `Cache-Control: public, max-age=KB_PAGE_MAX_AGE, stale-while-revalidate=
  KB_PAGE_STALE_SECONDS`, so a CDN or the reverse proxy may keep it for a short while, and a weak
  ETag that is a hash of the same key: a conditional request is answered 304 from the version
  alone, without reading or rendering any content;
- lets signed-in users through untouched: staff see drafts and banners, so their pages are
  never taken from nor put into the cache, and are `no-store`;
- renders requests it cannot key afresh and sends them `private, no-cache`: POSTs (the tools
  take their input that way), htmx requests (fragments of the same URLs) and query parameters
  the page does not declare (a tool's input) (`sq`, the signed
  search reference on links from results, is only read by the reading middleware, above this
  cache, and is left out of the key).

What the key covers, and why that is enough:

- the content version: every save, delete, bulk update of entries, categories, synonyms, error
  codes and known messages renews it;
- the release (`release_fingerprint`): a deploy that changes markup or hashed static names. The
  cache is per process, so a restart empties it anyway; the ETag needs it across processes;
- the date: an entry's "not checked for a while" notice and its related entries (counted reads
  stop at yesterday) change overnight without any row changing.

A page whose view needed a CSRF token (a template with `{% csrf_token %}`) or changed the
session is never kept and is sent `private`: whatever knows the visitor makes a page private.
Responses on which the reading middleware sets its trail cookie are made `private` there.

There is no Last-Modified: deleting an entry or renaming a category changes pages without
leaving a newer timestamp anywhere, so a date could wrongly answer "not modified".

Browsers and shared caches may show a page up to KB_PAGE_MAX_AGE seconds old after an edit;
the server never does. Signed-in users share no cache entry with anonymous visitors, but a
CDN in front must pass requests with the session cookie through (README, "Caching").
"""

import functools
import hashlib
import re
import zoneinfo
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

from kb.content.versions import current_version

# What shapes the HTML besides the database: our templates and Python code.
# (kb/ holds each package's own templates.)
RELEASE_SOURCES = [
    ("templates", "*.html"),
    ("templates", "*.xml"),
    ("kb", "*.html"),
    ("kb", "*.xml"),
    ("kb", "*.py"),
]
PAGE_CACHE = "pages"
# Documents made of the whole content (the sitemap, the feed, llms.txt, /errors.json) may be
# 15 minutes old in a shared cache.
CONTENT_MAX_AGE = 15 * 60
# Query parameters no page shows: the signed search reference on links from search results
# (read by kb/editorial/reading.py, above the cache) and campaign tags.
IGNORED_QUERY = frozenset({"sq", "utm_source", "utm_medium", "utm_campaign", "utm_content"})
# A query parameter a page reads is part of the key only with a value the page accepts, in
# one spelling: validators a page declares with `shared_page(query={name: validator})`.
Validator = Callable[[str], bool]
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")  # ASCII digits, no leading zero


def page_number(value: str) -> bool:
    return bool(_PAGE_NUMBER.fullmatch(value))


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone(value: str) -> bool:
    return value in _time_zones()


def one_of(*values: str) -> Validator:
    return frozenset(values).__contains__


# What a kept response brings back besides its body: the view's own headers.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Link", "Content-Disposition")


@functools.cache
def release_fingerprint() -> str:
    """A hash of the deployed templates, code and hashed static names; fixed for a process."""
    digest = hashlib.blake2b(digest_size=16)
    for folder, pattern in RELEASE_SOURCES:
        for path in sorted((settings.BASE_DIR / folder).rglob(pattern)):
            digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
            digest.update(path.read_bytes())
    # With the manifest storage, `{% static %}` names carry a hash of each file's content.
    hashed_files = getattr(staticfiles_storage, "hashed_files", {})
    digest.update(repr(sorted(hashed_files.items())).encode())
    return digest.hexdigest()


def _canonical_hosts() -> frozenset[str]:
    """The hosts a kept page may be keyed on: the site's own address (KB_SITE_URL) and each
    host DJANGO_ALLOWED_HOSTS names exactly, without a port. Any other spelling that Django
    lets through (another port in the Host header, a name matched by a `.example.com`
    pattern) is rendered afresh, never kept: every one would be a new entry, and its absolute
    links must not be served to anyone else."""
    hosts = {urlsplit(settings.KB_SITE_URL).netloc.lower()}
    hosts.update(
        host.lower()
        for host in settings.ALLOWED_HOSTS
        if host and not host.startswith(".") and "*" not in host
    )
    return frozenset(hosts)


def _page_key(request: HttpRequest, view: Callable, query: Mapping[str, Validator]) -> str | None:
    """The cache key of this request's page, or None when the page cannot be kept."""
    if request.method not in ("GET", "HEAD") or request.htmx:
        return None
    host = request.get_host().lower()
    if host not in _canonical_hosts():
        return None
    parts = []
    for name in sorted(set(request.GET)):
        if name in query:
            values = request.GET.getlist(name)
            if len(values) != 1 or not query[name](values[0]):
                return None  # a value the page does not accept, or one of many spellings
            parts.append((name, values))
        elif name not in IGNORED_QUERY:
            return None
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        release_fingerprint(),
        str(current_version()),
        timezone.localdate().isoformat(),
        f"{view.__module__}.{view.__qualname__}",
        # Twins, llms.txt and the error pages carry absolute links.
        f"{request.scheme}://{host}{request.path}",
        repr(parts),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _signed_in(request: HttpRequest) -> bool:
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        # Nobody is signed in without a session cookie. Say so before anything looks at
        # request.user: loading it touches the session, and SessionMiddleware then adds
        # `Vary: Cookie`, which no shared cache can use (every visitor's cookies differ).
        request.user = AnonymousUser()
        return False
    return request.user.is_authenticated


def _matches(request: HttpRequest, etag: str) -> bool:
    # Weak comparison, as for GET. No "*": the page may not exist, and that needs the view.
    wanted = parse_etags(request.headers.get("If-None-Match", ""))
    return any(tag.removeprefix("W/") == etag.removeprefix("W/") for tag in wanted)


def _knows_the_visitor(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether rendering used something of this visitor's: a CSRF token, a cookie, the session."""
    session = getattr(request, "session", None)
    return bool(
        response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or (session is not None and session.modified)
    )


def _public_headers(response: HttpResponse, etag: str, max_age: int) -> HttpResponse:
    response["ETag"] = etag
    # Set outright: a view's own `never_cache` (the tools, for their answers) does not apply
    # to the page without input that this is.
    response["Cache-Control"] = (
        f"public, max-age={max_age}, stale-while-revalidate={settings.KB_PAGE_STALE_SECONDS}"
    )
    if response.has_header("Expires"):
        del response["Expires"]
    # GZipMiddleware adds Accept-Encoding to a 200: a 304 repeats the 200's Vary.
    patch_vary_headers(response, ("HX-Request", "Accept-Encoding"))
    return response


def _kept(response: HttpResponse) -> tuple:
    headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
    return response.status_code, response.content, headers


def _from_kept(kept: tuple) -> HttpResponse:
    status, content, headers = kept
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


def shared_page(
    *,
    query: Mapping[str, Validator] | None = None,
    max_age: int | None = None,
    for_staff_too: bool = False,
) -> Callable:
    """Keep a public page on the server and let shared caches keep it (see the module doc).

    `query`: the query parameters the page reads, each with the test of a value it accepts
    (`page_number`, `time_zone`, `one_of(...)`); other parameters, and other values, make the
    request uncacheable: the page is rendered for it alone.
    `max_age`: seconds browsers and shared caches may keep it; KB_PAGE_MAX_AGE by default.
    `for_staff_too`: the page shows only published content whoever asks (the Markdown twins,
    the error pages), so signed-in users get the cached page too.
    """
    query = dict(query or {})

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            seconds = settings.KB_PAGE_MAX_AGE if max_age is None else max_age
            if not for_staff_too and _signed_in(request):
                response = view(request, *args, **kwargs)
                add_never_cache_headers(response)  # private, no-cache, no-store
                patch_vary_headers(response, ("Cookie", "HX-Request"))
                return response
            key = _page_key(request, view, query)
            if key is None:
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ("HX-Request",))
                return response
            etag = f'W/"{key}"'
            if _matches(request, etag):
                return _public_headers(HttpResponseNotModified(), etag, seconds)
            cache = caches[PAGE_CACHE]
            kept = cache.get(key)
            if kept is not None:
                return _public_headers(_from_kept(kept), etag, seconds)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # a TemplateResponse (the sitemaps): its bytes are kept
            if response.status_code != 200 or response.streaming:
                # Only a page that exists is kept and worth revalidating; a 404 is sent as is.
                patch_cache_control(response, no_cache=True)
                return response
            if _knows_the_visitor(request, response):
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ("Cookie", "HX-Request"))
                return response
            cache.set(key, _kept(response))
            return _public_headers(response, etag, seconds)

        return wrapped

    return decorator


def same_for_everyone(
    max_age: int | None = None, query: Mapping[str, Validator] | None = None
) -> Callable:
    """`shared_page` for documents that show only published content, signed in or not."""
    return shared_page(max_age=max_age, query=query, for_staff_too=True)


class PageCache(LocMemCache):
    """The page cache: Django's per-process memory cache, bounded in bytes as well as in
    entries (OPTIONS "MAX_BYTES"), since a few large documents (llms-full.txt) weigh more
    than thousands of small pages. The least recently used pages go first; a page larger than
    the whole bound is not kept."""

    def __init__(self, name, params):
        super().__init__(name, params)
        self._max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 32 * 1024 * 1024))

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        if len(value) > self._max_bytes:
            self._delete(key)
            return
        super()._set(key, value, timeout)
        # Values are pickled bytes (LocMemCache.set): their lengths are what is held.
        held = sum(len(kept) for kept in self._cache.values())
        while held > self._max_bytes:
            oldest, kept = self._cache.popitem()  # the end: the least recently used
            self._expire_info.pop(oldest, None)
            held -= len(kept)

    def held_bytes(self) -> int:
        with self._lock:
            return sum(len(kept) for kept in self._cache.values())
