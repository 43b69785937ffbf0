"""The public side of the editorial loop: the "Was this helpful?" vote."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kb.content.models import Entry
from kb.editorial import feedback
from kb.editorial.models import Feedback
from kb.editorial.related import related_entries
from kb.web.origin import is_same_origin

CROSS_SITE_VOTE = "Vote from this site's own page: a form on another site cannot vote here."


def _feedback_response(request: HttpRequest, entry: Entry, status: int, **kwargs) -> HttpResponse:
    """The feedback widget again, with its error: as a fragment for HTMX, else the whole page."""
    context = {"entry": entry, **feedback.widget_context(request, entry, **kwargs)}
    if request.htmx:
        return render(request, "kb/entry.html#feedback", context, status=status)
    context["related"] = related_entries(entry)
    return render(request, "kb/entry.html", context, status=status)


# The entry page is the same for every visitor and kept by caches, so it carries no CSRF token:
# a vote is accepted only when the browser says it comes from this site (kb/web/origin.py).
@csrf_exempt
@require_POST
def entry_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    if not is_same_origin(request):
        return HttpResponseForbidden(CROSS_SITE_VOTE, content_type="text/plain; charset=utf-8")
    # Drafts take no votes, not even from staff: only what the public can read is rated.
    entry = get_object_or_404(Entry.objects.published().select_related("category"), slug=slug)
    throttle = feedback.throttle_vote(request)
    if not throttle.counted:
        response = _feedback_response(request, entry, 503, error=feedback.UNCOUNTED_MESSAGE)
        response["Retry-After"] = "60"
        return response
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
            {"entry": entry, **feedback.widget_context(request, entry, vote=vote)},
        )
    else:
        # Post/redirect/get: the page then shows the thanks (and the reason box after a no),
        # from its address alone, so it stays the same for everybody.
        voted = urlencode({feedback.VOTED_PARAMETER: feedback.voted_state(vote)})
        response = redirect(f"{entry.get_absolute_url()}?{voted}#feedback")
    if is_new_visitor:
        feedback.remember_visitor(response, token)
    return response
