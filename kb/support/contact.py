""" "Still stuck? Contact API support": what the reader already tried goes along with their
request, and the request is counted as an escalation.

Pages are the same for every reader, so the link on them carries at most the entry the page
shows (`?entry=<slug>`). The rest comes from what the reader's own browser sends to the support
page: the last search (a signed cookie the search page sets), the entry read last (the reading
trail's signed cookie) and the reader's vote on it (the vote cookie). The Escalation row keeps
only that context; the message and the reader's address go to the support mailbox.
"""

import logging
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.core import mail
from django.core.validators import MaxLengthValidator
from django.db import DatabaseError, transaction
from django.http import HttpRequest
from django.http.response import HttpResponseRedirectBase

from kb.content.models import Entry
from kb.editorial import feedback, reading
from kb.editorial.models import Feedback
from kb.insights import search_log
from kb.insights.models import SearchRecord
from kb.support.models import Escalation
from kb.web import throttle
from kb.web.errors import forget_connection_if_refused

logger = logging.getLogger(__name__)

# Each request sends an e-mail to the support team: a client gets a few per window.
RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 600
THROTTLED_MESSAGE = (
    "Too many support requests from your network in a short time. Please write to us directly."
)
UNCOUNTED_MESSAGE = (
    "This form cannot take requests just now (the site is paused for maintenance). "
    "Please write to us directly."
)
MESSAGE_MAX_LENGTH = 5000


class SupportForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        help_text="API support answers you there. It is not stored on this site.",
        error_messages={
            "required": "Give the e-mail address support should answer.",
            "invalid": "That does not look like an e-mail address.",
        },
    )
    message = forms.CharField(
        label="What are you trying to do, and what happens instead?",
        help_text="The request you sent and the response you got help most. Leave out tokens "
        "and secrets.",
        # A validator, not max_length: the browser would cut a long paste without a word.
        validators=[
            MaxLengthValidator(
                MESSAGE_MAX_LENGTH,
                message="Please keep the message to %(limit_value)d characters "
                "(it has %(show_value)d).",
            )
        ],
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Tell support what you are trying to do."},
    )
    entry = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)


class MailtoRedirect(HttpResponseRedirectBase):
    """Sends the browser to its own mail program; after a POST, with 303."""

    allowed_schemes = ["mailto"]
    status_code = 303


@dataclass
class SupportContext:
    entry: Entry | None
    search: SearchRecord | None
    vote: Feedback | None

    @property
    def vote_value(self) -> str:
        if self.vote is None:
            return Escalation.Vote.NONE
        return Escalation.Vote.HELPFUL if self.vote.helpful else Escalation.Vote.UNHELPFUL

    def lines(self) -> list[str]:
        """The context as the support team reads it in the e-mail."""
        lines = []
        if self.search is not None:
            lines.append(
                f"Last search: “{self.search.query}” ({self.search.results} results, "
                f"{self.search.created:%Y-%m-%d %H:%M} UTC)"
            )
        if self.entry is not None:
            lines.append(
                f"Was reading: {self.entry.question} "
                f"({settings.KB_SITE_URL}{self.entry.get_absolute_url()})"
            )
        if self.vote is not None:
            vote = "helpful" if self.vote.helpful else "not helpful"
            reason = f": “{self.vote.reason}”" if self.vote.reason else ""
            lines.append(f"Their vote on it: {vote}{reason}")
        return lines


def gather(request: HttpRequest, entry_slug: str | None) -> SupportContext:
    """What this reader tried: the entry named by the page's link, else the one read last."""
    slug = entry_slug or reading.last_read_slug(request)
    entry = Entry.objects.published().filter(slug=slug).first() if slug else None
    vote = feedback.current_vote(request, entry) if entry is not None else None
    return SupportContext(entry=entry, search=search_log.last_search(request), vote=vote)


def count_request(request: HttpRequest, *, sends_mail: bool) -> throttle.ThrottleState:
    """Count this request against the client's allowance (kb.web.throttle). A request that
    sends an e-mail is refused when it cannot be counted (`counted` False): uncounted, a
    read-only database would let any number through to the support mailbox."""
    return throttle.hit("support", request, RATE_LIMIT, RATE_WINDOW_SECONDS, fail_closed=sends_mail)


def record_escalation(request: HttpRequest, context: SupportContext, channel: str) -> bool:
    """Count the escalation; False when the database would not take it. Called once the
    request has gone to support, so the reader is told it did: a lost count costs a number
    in the insights, a "try again" would cost support a second e-mail."""
    if request.user.is_staff:
        return True  # engineers trying the form would skew the score
    try:
        with transaction.atomic():
            Escalation.objects.create(
                channel=channel,
                entry=context.entry,
                search=context.search,
                vote=context.vote_value,
            )
    except DatabaseError as error:
        forget_connection_if_refused(error)
        logger.warning("an escalation was sent but could not be counted: %s", error)
        return False
    return True


def _subject(context: SupportContext) -> str:
    about = context.entry.question if context.entry else None
    if about is None and context.search is not None:
        about = f"search “{context.search.query}”"
    subject = "API support request from the knowledge base"
    return f"{subject}: {about}"[:150] if about else subject


def send_request(data: dict, context: SupportContext) -> None:
    """E-mail the request to API support, the reader's address as Reply-To."""
    tried = "\n".join(f"- {line}" for line in context.lines()) or "- nothing recorded"
    body = f"{data['message']}\n\n---\nWhat they tried on the knowledge base:\n{tried}\n"
    mail.EmailMessage(
        _subject(context),
        body,
        to=[settings.KB_SUPPORT_EMAIL],
        reply_to=[data["email"]],
    ).send()


def mailto_url(context: SupportContext) -> str:
    tried = "\n".join(f"- {line}" for line in context.lines())
    body = "What I am trying to do, the request I sent and the response I got:\n\n\n"
    if tried:
        body += f"---\nWhat I tried on the knowledge base:\n{tried}\n"
    query = urlencode({"subject": _subject(context), "body": body}, quote_via=quote)
    return f"mailto:{settings.KB_SUPPORT_EMAIL}?{query}"
