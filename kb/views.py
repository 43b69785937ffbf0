from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kb.caching import cacheable_page
from kb.models import Category, Entry
from kb.structured_data import faq_page_json_ld


def _categories_with_entries(user=None):
    """Categories that have something to show, each with its visible entries prefetched."""
    entries = Entry.objects.published() if user is None else Entry.objects.visible_to(user)
    return (
        Category.objects.filter(entries__in=entries)
        .distinct()
        .prefetch_related(Prefetch("entries", queryset=entries.order_by("order", "question")))
    )


@require_GET
@cacheable_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/home.html", {"categories": _categories_with_entries()})


@require_GET
@cacheable_page
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    entries = Entry.objects.visible_to(request.user).in_category(category)
    if not entries.exists():
        # An empty category has no public page: there is nothing to link to.
        return page_not_found(request, None)
    return render(
        request,
        "kb/category.html",
        {
            "category": category,
            "entries": entries,
            "categories": _categories_with_entries(),
            "faq_json_ld": faq_page_json_ld(entries),
        },
    )


@require_GET
@cacheable_page
def entry_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_object_or_404(
        Entry.objects.visible_to(request.user).select_related("category"), slug=slug
    )
    related = Entry.objects.published().in_category(entry.category).exclude(pk=entry.pk)
    return render(
        request,
        "kb/entry.html",
        {"entry": entry, "related": related, "faq_json_ld": faq_page_json_ld([entry])},
    )


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
