"""The way to API support when the answers were not enough: the form, with what the reader
already tried, and the same context in the reader's own mail program."""

import logging
from smtplib import SMTPException

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kb.support import contact
from kb.support.models import Escalation
from kb.web.redaction import redact

logger = logging.getLogger(__name__)


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
    context = contact.gather(request, data.get("entry"))
    if request.method != "POST":
        slug = context.entry.slug if context.entry else ""
        # From a search with no answer: the question, as the search page redacted it.
        question = redact(data.get("q", "").strip())[: contact.MESSAGE_MAX_LENGTH]
        initial = {"entry": slug, "message": question}
        return _support_page(request, context, contact.SupportForm(initial=initial))
    form = contact.SupportForm(request.POST)
    allowance = contact.count_request(request, sends_mail=True)
    if not allowance.counted:
        # Refused before anything is sent: see contact.count_request.
        response = _support_page(request, context, form, 503, contact.UNCOUNTED_MESSAGE)
        response["Retry-After"] = "60"
        return response
    if not allowance.allowed:
        response = _support_page(request, context, form, 429, contact.THROTTLED_MESSAGE)
        response["Retry-After"] = str(contact.RATE_WINDOW_SECONDS)
        return response
    if not form.is_valid():
        return _support_page(request, context, form, 400)
    try:
        contact.send_request(form.cleaned_data, context)
    except (OSError, SMTPException):
        logger.exception("a support request could not be sent")
        error = "Your message could not be sent just now. Please write to us directly."
        return _support_page(request, context, form, 503, error)
    contact.record_escalation(request, context, Escalation.Channel.FORM)
    return redirect("support_sent")


@require_POST
def support_by_email(request: HttpRequest) -> HttpResponse:
    """The same context, in an e-mail the reader writes in their own mail program."""
    context = contact.gather(request, request.POST.get("entry"))
    # The reader's own mail program sends this one: uncounted, it still goes on.
    if not contact.count_request(request, sends_mail=False).allowed:
        response = _support_page(
            request, context, contact.SupportForm(), 429, contact.THROTTLED_MESSAGE
        )
        response["Retry-After"] = str(contact.RATE_WINDOW_SECONDS)
        return response
    contact.record_escalation(request, context, Escalation.Channel.EMAIL)
    return contact.MailtoRedirect(contact.mailto_url(context))


@require_safe
def support_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/support.html", {"sent": True})
