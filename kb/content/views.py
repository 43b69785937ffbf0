from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from kb import feedback, insights
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
