"""HTTP caching for the HTML pages: who may keep a page, and when a 304 is safe.

A page is not the same for everybody, so it is never cached publicly:

- Signed-in users (support engineers) see drafts and banners. Their pages are never stored
  (`no-store`): a draft must not stay on disk or come back from the cache after signing out.
- Every page embeds a CSRF token in `<body hx-headers>`, masked from the visitor's CSRF cookie.
  A shared cache would hand one visitor's token to another, so anonymous pages are `private`
  too. The browser keeps them and revalidates each time (`no-cache`): a reader sees an edit at
  once, and an unchanged page costs a 304 of a few hundred bytes.

The validator is a weak ETag, because the bytes differ on every response (the token's mask is
random) while what the page says does not. It is a hash of:

- the deployed code, templates and static file names (`release_fingerprint`), so a deploy that
  changes the markup or the hashed CSS names re-sends every page;
- the published content every page can show: entries' slugs, questions, order, category and
  `updated`, and the categories (see `_content_fingerprint` for why that is enough);
- the date: an entry's "not checked for a while" notice and its related entries (counted reads
  stop at yesterday) may change overnight without any row changing;
- the URL and the Cookie header: the page varies with the cookies (`Vary: Cookie`), so its
  validator does too. A cached page whose CSRF token belongs to an old cookie (rotated at sign-in,
  or cleared) is never confirmed with a 304. Only the cookies that never shape a page are left
  out (`PAGE_NEUTRAL_COOKIES`): the reading trail and the last search, which kb/editorial
  reads on the next request and which change from one page to the next;
- the visitor's session data, when there is a session: whatever a feature remembers for an
  anonymous visitor there (a vote, a message) can show on a page without changing a cookie.

Requests without a CSRF cookie get no ETag: rendering the page sets a new cookie, and a page
confirmed from cache would carry a token for a cookie the browser no longer has. The second
view, with the cookie, gets its ETag; the third is a 304. htmx requests get none either: they
ask for fragments of the same URLs.

Use `@cacheable_page` (under `@require_safe`) on an HTML page whose content comes from the
published entries and categories, the URL (query string included) and the visitor's cookies or
session. A page that shows anything else must not use it, or must add that to `page_etag`.

A document that embeds nothing of the visitor's (no CSRF token: the Markdown twins, llms.txt,
the error pages) is the same for everybody and uses `@same_for_everyone` instead: public, with
an ETag of its body.

There is no Last-Modified: deleting an entry or renaming a category changes pages without
leaving a newer timestamp anywhere, so a date could wrongly answer "not modified".
"""

import functools
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition, conditional_page

from kb.content.models import Category, Entry

# What shapes the HTML besides the database: our templates and Python code.
RELEASE_SOURCES = [("templates", "*.html"), ("templates", "*.xml"), ("kb", "*.py")]
# Cookies that kb.editorial reads on a later request and no page shows (kb/editorial/reading.py,
# kb/editorial/insights.py).
PAGE_NEUTRAL_COOKIES = frozenset({"kb_trail", "kb_last_search"})


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


def _content_fingerprint() -> str:
    # Every save() renews `updated`, and answers can only change through save() because that
    # is where they are rendered to HTML. Bulk updates that skip save() (a status change, a
    # reorder) still change which rows are listed here or their order and category, and a
    # deletion removes a row, so every change to what a page shows changes this text.
    entries = Entry.objects.published().order_by("pk")
    categories = Category.objects.order_by("pk")
    return repr(
        (
            # `last_verified` is set without touching `updated`: verifying is not an edit.
            list(
                entries.values_list(
                    "pk", "slug", "question", "category_id", "order", "updated", "last_verified"
                )
            ),
            list(categories.values_list("pk", "slug", "name", "description", "order")),
        )
    )


def _session_state(request: HttpRequest) -> str:
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return ""  # no session: do not create one just to look
    return repr(sorted(request.session.items()))


def _page_cookies(request: HttpRequest) -> str:
    return repr(
        sorted(item for item in request.COOKIES.items() if item[0] not in PAGE_NEUTRAL_COOKIES)
    )


def page_etag(request: HttpRequest, *args, **kwargs) -> str | None:
    if request.htmx or settings.CSRF_COOKIE_NAME not in request.COOKIES:
        return None
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        release_fingerprint(),
        _content_fingerprint(),
        timezone.localdate().isoformat(),
        request.get_full_path(),
        _page_cookies(request),
        _session_state(request),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return f'W/"{digest.hexdigest()}"'


def cacheable_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache headers for an HTML page, and 304s for anonymous visitors (see the module doc)."""
    conditional_view = condition(etag_func=page_etag)(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)  # private, no-cache, no-store
        else:
            response = conditional_view(request, *args, **kwargs)
            if response.status_code not in (200, 304) and response.has_header("ETag"):
                # Only a page that exists is worth revalidating.
                del response.headers["ETag"]
            patch_cache_control(response, private=True, no_cache=True)
        # Accept-Encoding too, as GZipMiddleware adds it to a 200: a 304 repeats the 200's Vary.
        patch_vary_headers(response, ("Cookie", "HX-Request", "Accept-Encoding"))
        return response

    return wrapped


def same_for_everyone(max_age: int = 0) -> Callable:
    """Cache headers and 304s for a response that is the same for every visitor.

    For documents that show only published content and embed nothing of the visitor's (no
    CSRF token, no session): the Markdown twins, llms.txt, the error pages and errors.json.
    Shared caches may keep them (`public`). With `max_age=0` every use is revalidated
    (`no-cache`), so an edit shows at once and an unchanged document costs a 304; files that
    tools fetch in bulk may be kept for a while instead. Since the bytes are the same for the
    same content, the ETag is a hash of the body (Django's ConditionalGetMiddleware logic,
    weakened by the gzip middleware), as for the sitemap and the feed. Only a document that
    exists (200) is worth revalidating: a 404 gets no ETag.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        conditional_view = conditional_page(view)

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = conditional_view(request, *args, **kwargs)
            if response.status_code not in (200, 304):
                if response.has_header("ETag"):
                    del response.headers["ETag"]
                return response
            if max_age:
                patch_cache_control(response, public=True, max_age=max_age)
            else:
                patch_cache_control(response, public=True, no_cache=True)
            patch_vary_headers(response, ("Accept-Encoding",))
            return response

        return wrapped

    return decorator
