"""The search page and the search API.

What a developer pastes may hold credentials: the text is redacted (kb.web.redaction) before
anything else sees it, so the search, the search log and the address bar only ever have the
redacted text. The page takes POST as well as GET, so a long paste travels in a request body,
not in a URL that proxies log; a short search is redirected to its GET address, which can be
bookmarked and shared.
"""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import push_url

from kb.content.models import Category
from kb.insights import search_log
from kb.search import engine
from kb.tools.models import ErrorCode, KnownErrorMessage
from kb.web import throttle
from kb.web.origin import is_same_origin
from kb.web.redaction import redact

DEFAULT_SEARCH_LIMIT = 10
MAX_SEARCH_LIMIT = 50
# A search this short, on one line, is shown in the address bar and redirected to after a
# POST; a longer paste is answered in place and never becomes a URL.
ADDRESS_BAR_QUERY = 200


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303  # the browser follows with a GET


THROTTLED = "Too many searches from your network in a short time. Please wait a minute."


def _search_limit(raw: str | None) -> int:
    """The `limit` parameter: a positive whole number, capped at MAX_SEARCH_LIMIT."""
    if raw is None or raw == "":
        return DEFAULT_SEARCH_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError("limit must be a positive whole number")
    return min(int(raw), MAX_SEARCH_LIMIT)


def _throttle(request: HttpRequest) -> throttle.ThrottleState:
    return throttle.hit(
        "search", request, settings.KB_SEARCH_RATE_LIMIT, settings.KB_SEARCH_RATE_WINDOW
    )


def _address(query: str) -> str | None:
    """The GET address of a search, or None when the query is too long for one."""
    if len(query) > ADDRESS_BAR_QUERY or "\n" in query.strip():
        return None
    return f"{reverse('search')}?{urlencode({'q': query}, quote_via=quote)}"


def _error_lookup_offer(query: str) -> dict:
    """The error-code lookup for a status code or a known error message the search names: it
    says what the error means and whether to retry, which a list of entries does not."""
    if not query.strip():
        return {}
    if code := ErrorCode.objects.named_in(query):
        return {"offered_code": code}
    if messages := KnownErrorMessage.objects.found_in(query, partial=False):
        return {"offered_message": messages[0]}
    return {}


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def search_page(request: HttpRequest) -> HttpResponse:
    # Searching changes nothing but the search log, so it needs no CSRF token (the pages stay
    # the same for everybody); a form on another site must still not fill the log.
    if request.method == "POST" and not is_same_origin(request):
        return HttpResponse("Search from this site's own search box.", status=403)
    allowance = _throttle(request)
    if not allowance.allowed:
        response = render(
            request,
            "kb/search.html#throttled" if request.htmx else "kb/search.html",
            {"throttled": THROTTLED, "query": ""},
            status=429,
        )
        response["Retry-After"] = str(allowance.retry_after)
        return response
    data = request.POST if request.method == "POST" else request.GET
    query = redact(data.get("q", "").strip())
    address = _address(query)
    if request.method == "POST" and not request.htmx and address is not None:
        # Post/redirect/get: a short search ends on its own address, as if typed in a URL.
        return HttpResponseSeeOther(address)
    results = engine.search(query, limit=DEFAULT_SEARCH_LIMIT)
    refines = data.get("refines") if request.htmx else None
    first_slug = results.hits[0].slug if results.hits else None
    search_id = search_log.log_public_search(
        request, query, results.total, refines, results.answered, first_slug
    )
    context = {
        "query": query,
        "results": results,
        **_error_lookup_offer(query),
        # Each link carries a reference to this search, signed for its entry and place.
        "linked_hits": [
            (hit, _result_url(hit.url, hit.slug, rank, search_id))
            for rank, hit in enumerate(results.hits, start=1)
        ],
        "refines": search_log.refines_token(search_id) if search_id else None,
        "categories": Category.objects.with_published_entries() if not results.answered else [],
        # The support form, with the question filled in (short enough for an address).
        "support_query": urlencode({"q": query[:ADDRESS_BAR_QUERY]}),
    }
    # htmx restoring a page it has no copy of (Back after its history cache was dropped) asks
    # with HX-Request too, and puts the answer in place of the whole <body>: it needs the page.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "kb/search.html#results", context)
        # The address bar shows the plain search URL, without the `refines` bookkeeping, and
        # no URL at all for a long paste.
        response = push_url(response, address or reverse("search"))
    else:
        response = render(request, "kb/search.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    if search_id:
        # For the "Still stuck?" form, and to link this search to the next if it fails.
        search_log.remember_last_search(response, search_id)
    return response


def _result_url(url: str, slug: str, rank: int, search_id: int | None) -> str:
    if search_id is None:
        return url
    return f"{url}?{urlencode({'sq': search_log.result_token(search_id, rank, slug)})}"


@require_safe
def api_search(request: HttpRequest) -> JsonResponse:
    allowance = _throttle(request)
    if not allowance.allowed:
        response = JsonResponse({"error": THROTTLED}, status=429)
        response["Retry-After"] = str(allowance.retry_after)
        return response
    try:
        limit = _search_limit(request.GET.get("limit"))
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    results = engine.search(redact(request.GET.get("q", "")), limit=limit)
    return JsonResponse(
        {
            "query": results.query,
            "total": results.total,
            # Whether the first result is believed to answer the query; when false, the
            # results are only loosely related.
            "answered": results.answered,
            "results": [
                {
                    "slug": hit.slug,
                    "question": hit.question,
                    "category": hit.category,
                    "url": request.build_absolute_uri(hit.url),
                    "score": hit.score,
                    "snippet": str(hit.snippet),
                }
                for hit in results.hits
            ],
            "suggestion": results.suggestion,
        }
    )
