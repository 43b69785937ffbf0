"""The search page and the search API."""

from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe
from django_htmx.http import push_url

from kb.content.models import Category
from kb.editorial import insights
from kb.search import engine

DEFAULT_SEARCH_LIMIT = 10
MAX_SEARCH_LIMIT = 50


def _search_limit(raw: str | None) -> int:
    """The `limit` parameter: a positive whole number, capped at MAX_SEARCH_LIMIT."""
    if raw is None or raw == "":
        return DEFAULT_SEARCH_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError("limit must be a positive whole number")
    return min(int(raw), MAX_SEARCH_LIMIT)


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results = engine.search(query, limit=DEFAULT_SEARCH_LIMIT)
    search_id = None
    if not request.user.is_staff:  # engineers checking the insights would skew them
        refines = request.GET.get("refines") if request.htmx else None
        previous = insights.last_search_id(request)
        search_id = insights.record_search(query, results.total, refines, previous)
    context = {
        "query": query,
        "results": results,
        # Each link carries a reference to this search, signed for its entry and place.
        "linked_hits": [
            (hit, _result_url(hit.url, hit.slug, rank, search_id))
            for rank, hit in enumerate(results.hits, start=1)
        ],
        "refines": insights.refines_token(search_id) if search_id else None,
        "categories": Category.objects.with_published_entries() if not results.hits else [],
    }
    # htmx restoring a page it has no copy of (Back after its history cache was dropped) asks
    # with HX-Request too, and puts the answer in place of the whole <body>: it needs the page.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "kb/search.html#results", context)
        # The address bar shows the plain search URL, without the `refines` bookkeeping.
        response = push_url(
            response, f"{reverse('search')}?{urlencode({'q': query}, quote_via=quote)}"
        )
    else:
        response = render(request, "kb/search.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    if search_id:
        # For the "Still stuck?" form, and to link this search to the next if it fails.
        insights.remember_last_search(response, search_id)
    return response


def _result_url(url: str, slug: str, rank: int, search_id: int | None) -> str:
    if search_id is None:
        return url
    return f"{url}?{urlencode({'sq': insights.result_token(search_id, rank, slug)})}"


@require_safe
def api_search(request: HttpRequest) -> JsonResponse:
    try:
        limit = _search_limit(request.GET.get("limit"))
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    results = engine.search(request.GET.get("q", ""), limit=limit)
    return JsonResponse(
        {
            "query": results.query,
            "total": results.total,
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
