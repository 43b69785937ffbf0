from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kb import search
from kb.models import Category, Entry

DEFAULT_SEARCH_LIMIT = 10
MAX_SEARCH_LIMIT = 50


def _categories_with_entries(user=None):
    """Categories that have something to show, each with its visible entries prefetched."""
    entries = Entry.objects.published() if user is None else Entry.objects.visible_to(user)
    return (
        Category.objects.filter(entries__in=entries)
        .distinct()
        .prefetch_related(Prefetch("entries", queryset=entries.order_by("order", "question")))
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/home.html", {"categories": _categories_with_entries()})


@require_GET
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    entries = Entry.objects.visible_to(request.user).in_category(category)
    if not entries.exists():
        # An empty category has no public page: there is nothing to link to.
        return page_not_found(request, None)
    return render(
        request,
        "kb/category.html",
        {"category": category, "entries": entries, "categories": _categories_with_entries()},
    )


@require_GET
def entry_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_object_or_404(
        Entry.objects.visible_to(request.user).select_related("category"), slug=slug
    )
    related = Entry.objects.published().in_category(entry.category).exclude(pk=entry.pk)
    return render(request, "kb/entry.html", {"entry": entry, "related": related})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def page_not_found(request: HttpRequest, exception: Exception | None) -> HttpResponse:
    try:
        categories = list(_categories_with_entries())
    except DatabaseError:
        categories = []
    return render(
        request,
        "404.html",
        {"categories": categories, "support_email": settings.KB_SUPPORT_EMAIL},
        status=404,
    )


def _search_limit(raw: str | None) -> int:
    """The `limit` parameter: a positive whole number, capped at MAX_SEARCH_LIMIT."""
    if raw is None or raw == "":
        return DEFAULT_SEARCH_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError("limit must be a positive whole number")
    return min(int(raw), MAX_SEARCH_LIMIT)


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results = search.search(query, limit=DEFAULT_SEARCH_LIMIT)
    context = {
        "query": query,
        "results": results,
        "categories": _categories_with_entries() if not results.hits else [],
        "support_email": settings.KB_SUPPORT_EMAIL,
    }
    # htmx restoring a page it has no copy of (Back after its history cache was dropped) asks
    # with HX-Request too, and puts the answer in place of the whole <body>: it needs the page.
    fragment = request.htmx and not request.htmx.history_restore_request
    template = "kb/search.html#results" if fragment else "kb/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


@require_GET
def api_search(request: HttpRequest) -> JsonResponse:
    try:
        limit = _search_limit(request.GET.get("limit"))
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    results = search.search(request.GET.get("q", ""), limit=limit)
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
