from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import push_url

from kb import feedback, insights, search
from kb.content.caching import cacheable_page
from kb.content.structured_data import faq_page_json_ld
from kb.models import Category, Entry, Feedback

# Shortcuts on the home page to the searches developers run most.
COMMON_SYMPTOMS = [
    "429 Too Many Requests",
    "invalid_grant",
    "401 Unauthorized",
    "App is not connected to this company",
    "No 'Access-Control-Allow-Origin' header",
    "Missing Procore-Company-Id header!",
]
DEFAULT_SEARCH_LIMIT = 10
MAX_SEARCH_LIMIT = 50


@require_safe
@cacheable_page
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "kb/home.html",
        {
            "categories": Category.objects.with_published_entries(),
            "common_symptoms": COMMON_SYMPTOMS,
        },
    )


@require_safe
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
            "categories": Category.objects.with_published_entries(),
            "faq_json_ld": faq_page_json_ld(entries),
        },
    )


@require_safe
@cacheable_page
def entry_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_object_or_404(
        Entry.objects.visible_to(request.user).select_related("category"), slug=slug
    )
    related = Entry.objects.published().in_category(entry.category).exclude(pk=entry.pk)
    context = {"entry": entry, "related": related, "faq_json_ld": faq_page_json_ld([entry])}
    if entry.is_published:
        # The link came from a search result: that search led somewhere.
        insights.mark_opened(request.GET.get("sq"))
        context.update(_feedback_context(request, entry))
    return render(request, "kb/entry.html", context)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers that ignore <link rel="icon"> still ask for /favicon.ico. The hashed name is
    # looked up per request: at import time the static manifest may not exist yet.
    return redirect(static("favicon.svg"), permanent=True)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def page_not_found(request: HttpRequest, exception: Exception | None) -> HttpResponse:
    try:
        categories = list(Category.objects.with_published_entries())
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


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results = search.search(query, limit=DEFAULT_SEARCH_LIMIT)
    search_id = None
    if not request.user.is_staff:  # engineers checking the insights would skew them
        refines = request.GET.get("refines") if request.htmx else None
        search_id = insights.record_search(query, results.total, refines=refines)
    context = {
        "query": query,
        "results": results,
        "search_id": search_id,
        "categories": Category.objects.with_published_entries() if not results.hits else [],
        "support_email": settings.KB_SUPPORT_EMAIL,
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
    return response


@require_safe
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


# --- Workflow: "Was this helpful?" -------------------------------------------------------


def _feedback_context(
    request: HttpRequest,
    entry: Entry,
    *,
    vote: Feedback | None = None,
    form: feedback.FeedbackForm | None = None,
    error: str = "",
) -> dict:
    return {
        "feedback_vote": vote or feedback.current_vote(request, entry),
        "feedback_form": form or feedback.FeedbackForm(),
        "feedback_error": error,
    }


def _feedback_response(request: HttpRequest, entry: Entry, status: int, **kwargs) -> HttpResponse:
    """The feedback widget again, with its error: as a fragment for HTMX, else the whole page."""
    context = {"entry": entry, **_feedback_context(request, entry, **kwargs)}
    if request.htmx:
        return render(request, "kb/entry.html#feedback", context, status=status)
    context["related"] = Entry.objects.published().in_category(entry.category).exclude(pk=entry.pk)
    return render(request, "kb/entry.html", context, status=status)


@require_POST
def entry_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    # Drafts take no votes, not even from staff: only what the public can read is rated.
    entry = get_object_or_404(Entry.objects.published().select_related("category"), slug=slug)
    throttle = feedback.throttle_vote(request)
    if not throttle.allowed:
        response = _feedback_response(request, entry, 429, error=feedback.THROTTLED_MESSAGE)
        response["Retry-After"] = str(throttle.retry_after)
        return response
    form = feedback.FeedbackForm(request.POST)
    if not form.is_valid():
        return _feedback_response(request, entry, 400, form=form, error=form.first_error())

    token, is_new_visitor = feedback.visitor_token(request)
    vote = Feedback.objects.record_vote(
        entry,
        feedback.visitor_key(token),
        helpful=form.cleaned_data["helpful"],
        reason=form.cleaned_data["reason"],
    )
    if request.htmx:
        response = render(
            request,
            "kb/entry.html#feedback",
            {"entry": entry, **_feedback_context(request, entry, vote=vote)},
        )
    else:
        # Post/redirect/get: the page then shows the thanks (and the reason box after a no).
        response = redirect(entry.get_absolute_url() + "#feedback")
    if is_new_visitor:
        feedback.remember_visitor(response, token)
    return response
