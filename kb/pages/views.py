import logging

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from kb.content.caching import one_of, page_number, shared_page
from kb.content.markdown_http import markdown_twin
from kb.content.models import Category, Entry
from kb.content.structured_data import faq_page_json_ld
from kb.editorial import feedback
from kb.editorial.related import related_entries
from kb.pages.markdown_views import category_markdown, entry_markdown

logger = logging.getLogger(__name__)

# Each topic on the home page lists its first few questions and links to the rest.
QUESTIONS_PER_TOPIC = 3
# Shortcuts on the home page to the searches developers run most.
COMMON_SYMPTOMS = [
    "429 Too Many Requests",
    "invalid_grant",
    "401 Unauthorized",
    "App is not connected to this company",
    "No 'Access-Control-Allow-Origin' header",
    "Missing Procore-Company-Id header!",
]


@require_safe
@shared_page()
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "kb/home.html",
        {
            "categories": Category.objects.with_first_entries(QUESTIONS_PER_TOPIC),
            "common_symptoms": COMMON_SYMPTOMS,
        },
    )


@require_safe
@markdown_twin(category_markdown)
@shared_page(query={"page": page_number})
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    entries = Entry.objects.visible_to(request.user).in_category(category).in_page_order()
    paginator = Paginator(entries, settings.KB_CATEGORY_PAGE_SIZE)
    if paginator.count == 0:
        # An empty category has no public page: there is nothing to link to.
        return page_not_found(request, None)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except InvalidPage:
        return page_not_found(request, None)
    return render(
        request,
        "kb/category.html",
        {
            "category": category,
            "page": page,
            "entries": page.object_list,
            "categories": Category.objects.with_published_entries(),
            # This page's questions and summaries: a category of thousands stays a small page.
            "faq_json_ld": faq_page_json_ld(page.object_list, request.build_absolute_uri),
        },
    )


@require_safe
@markdown_twin(entry_markdown)
@shared_page(query={feedback.VOTED_PARAMETER: one_of(*feedback.SHOWN_VOTES)})
def entry_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_object_or_404(
        Entry.objects.visible_to(request.user).select_related("category"), slug=slug
    )
    # Reads and opened search results are counted by kb.editorial.reading's middleware.
    context = {
        "entry": entry,
        "related": related_entries(entry),
        "faq_json_ld": faq_page_json_ld([entry]),
    }
    if entry.is_published:
        context.update(feedback.widget_context(request, entry))
    return render(request, "kb/entry.html", context)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers that ignore <link rel="icon"> still ask for /favicon.ico. The hashed name is
    # looked up per request: at import time the static manifest may not exist yet.
    return redirect(static("favicon.svg"), permanent=True)


def page_not_found(request: HttpRequest, exception: Exception | None) -> HttpResponse:
    try:
        categories = list(Category.objects.with_published_entries())
    except DatabaseError:
        categories = []
    return render(request, "404.html", {"categories": categories}, status=404)
