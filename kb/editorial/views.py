"""The public side of the editorial loop: the "Was this helpful?" vote, and the way to API
support when the answers were not enough."""

import logging
from smtplib import SMTPException
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kb.content.models import Entry
from kb.editorial import feedback, support
from kb.editorial.models import Escalation, Feedback
from kb.editorial.related import related_entries
from kb.web.origin import is_same_origin

logger = logging.getLogger(__name__)

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


# --- "Still stuck? Contact API support" -----------------------------------------------------


def _support_page(request, context, form, status=200, error="") -> HttpResponse:
    return render(
        request,
        "kb/support.html",
        {"support": context, "form": form, "error": error},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def support_request(request: HttpRequest) -> HttpResponse:
    """The support form, with what the reader already tried; a request is e-mailed to API
    support and counted as an escalation."""
    data = request.POST if request.method == "POST" else request.GET
    context = support.gather(request, data.get("entry"))
    if request.method != "POST":
        slug = context.entry.slug if context.entry else ""
        return _support_page(request, context, support.SupportForm(initial={"entry": slug}))
    form = support.SupportForm(request.POST)
    if not support.allow_request(request):
        response = _support_page(request, context, form, 429, support.THROTTLED_MESSAGE)
        response["Retry-After"] = str(support.RATE_WINDOW_SECONDS)
        return response
    if not form.is_valid():
        return _support_page(request, context, form, 400)
    try:
        support.send_request(form.cleaned_data, context)
    except (OSError, SMTPException):
        logger.exception("a support request could not be sent")
        error = "Your message could not be sent just now. Please write to us directly."
        return _support_page(request, context, form, 503, error)
    support.record_escalation(request, context, Escalation.Channel.FORM)
    return redirect("support_sent")


@require_POST
def support_by_email(request: HttpRequest) -> HttpResponse:
    """The same context, in an e-mail the reader writes in their own mail program."""
    context = support.gather(request, request.POST.get("entry"))
    if not support.allow_request(request):
        response = _support_page(
            request, context, support.SupportForm(), 429, support.THROTTLED_MESSAGE
        )
        response["Retry-After"] = str(support.RATE_WINDOW_SECONDS)
        return response
    support.record_escalation(request, context, Escalation.Channel.EMAIL)
    return support.MailtoRedirect(support.mailto_url(context))


@require_safe
def support_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/support.html", {"sent": True})
