"""Reading: entry views, reading sessions, what is read next, and opened search results.

`ReadingMiddleware` counts once the response is built, from the URL alone: the entry view
knows nothing of it, and a page served from a cache counts the same as one the view rendered.
Keep it above any cache middleware in settings.MIDDLEWARE. When a cache answered before the
URL was resolved, the path is resolved here again, which costs no query.

What a reading costs: a few counters in memory, written in batches (kb/editorial/counters.py),
and an UPDATE of the search record when the link came from a search result. No reads. A count
that cannot be written (a read-only database, say) is logged and the page is served anyway.

A reading session is a browser that reads entries less than half an hour apart. The browser
carries the last entry it read in a signed cookie (`kb_trail`, the entry's slug, nothing
else); the server keeps only daily counters. Staff and crawlers are not counted.
"""

import functools
import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control

from kb.editorial import counters
from kb.insights import search_log

logger = logging.getLogger(__name__)

TRAIL_COOKIE = "kb_trail"
SESSION_IDLE_SECONDS = 30 * 60
_TRAIL_SALT = "kb.reading.trail"
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")
# Crawlers, monitors and scripts: they carry no cookies, so each of their requests would look
# like a new reader. A browser always sends a User-Agent.
_NOT_A_READER = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|preview|monitor|curl|wget|python|java/|"
    r"go-http|okhttp|libwww|httpclient|feed",
    re.IGNORECASE,
)
COUNTED_STATUSES = (200, 304)  # a 304 is a page the browser shows from its cache


class ReadingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        slug = read_entry_slug(request, response)
        if slug is not None:
            try:
                record_reading(request, response, slug)
            except DatabaseError:
                logger.warning("could not count a reading of %s", slug, exc_info=True)
        return response


def read_entry_slug(request: HttpRequest, response: HttpResponse) -> str | None:
    """The slug of the published entry this response showed a reader, or None."""
    if request.method != "GET" or response.status_code not in COUNTED_STATUSES:
        return None
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    if match.url_name != "entry_detail":
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_staff:
        return None  # engineers checking their work would skew the figures; they see drafts
    return match.kwargs.get("slug")


def is_reader(request: HttpRequest) -> bool:
    agent = request.headers.get("User-Agent", "")
    return bool(agent) and not _NOT_A_READER.search(agent)


def record_reading(request: HttpRequest, response: HttpResponse, slug: str) -> None:
    if "sq" in request.GET:
        search_log.mark_opened(request.GET["sq"], slug)
    if not is_reader(request):
        return
    counters.count(slug, timezone.localdate(), previous=last_read_slug(request))
    remember_trail(response, slug)


@functools.lru_cache(maxsize=1024)
def _trail_token(slug: str) -> str:
    return signing.Signer(salt=_TRAIL_SALT).sign(slug)


def remember_trail(response: HttpResponse, slug: str) -> None:
    # The same value for the same entry (no timestamp in it), so re-reading a page sends the
    # same cookies and a cached copy stays valid; the browser forgets it after the idle time.
    response.set_cookie(
        TRAIL_COOKIE,
        _trail_token(slug),
        max_age=SESSION_IDLE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    # A response that sets this reader's cookie is theirs alone: a shared cache must not hand
    # the cookie to others (the server's page cache kept the page before the cookie was set).
    patch_cache_control(response, private=True)


def last_read_slug(request: HttpRequest) -> str | None:
    """The slug of the entry this browser read last, within the session; None if forged."""
    token = request.COOKIES.get(TRAIL_COOKIE, "")
    if not token or len(token) > 200:
        return None
    try:
        slug = signing.Signer(salt=_TRAIL_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return slug if _SLUG.match(slug) else None
