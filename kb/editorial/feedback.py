""" "Was this helpful?": the vote form, who the visitor is, and the flood throttle.

A visitor is a random token in a long-lived cookie; the database keeps only a keyed hash of
it (`visitor_key`), so one browser counts once per entry and nothing stored points to a
person. The throttle (kb.web.throttle) counts votes per client in the database, atomically,
under a keyed hash of the client's address; no address is ever written down.
"""

import re
import secrets
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from kb.editorial.models import Feedback
from kb.web import throttle
from kb.web.throttle import ThrottleState

VISITOR_COOKIE = "kb_visitor"
VISITOR_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

THROTTLED_MESSAGE = (
    "Too many votes from your network in a short time. Please try again in a few minutes."
)


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        error_messages={
            "required": "Choose “Yes” or “No”.",
            "invalid_choice": "Choose “Yes” or “No”.",
        },
    )
    reason = forms.CharField(
        label="What were you looking for? (optional)",
        required=False,
        max_length=Feedback.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "id": "feedback-reason"}),
        error_messages={
            "max_length": "Please keep the reason to %(limit_value)d characters "
            "(it has %(show_value)d).",
        },
    )

    def first_error(self) -> str:
        for errors in self.errors.values():
            return errors[0]
        return ""


def visitor_token(request: HttpRequest) -> tuple[str, bool]:
    """The visitor's random token, and whether it is new and must be set as a cookie."""
    token = request.COOKIES.get(VISITOR_COOKIE, "")
    if _TOKEN_SHAPE.match(token):
        return token, False
    return secrets.token_urlsafe(24), True


def visitor_key(token: str) -> str:
    return salted_hmac("kb.feedback.visitor", token, algorithm="sha256").hexdigest()


def current_vote(request: HttpRequest, entry) -> Feedback | None:
    """This visitor's vote on this entry, if the browser has voted before."""
    token, is_new = visitor_token(request)
    if is_new:
        return None
    return Feedback.objects.filter(entry=entry, visitor_key=visitor_key(token)).first()


def remember_visitor(response: HttpResponse, token: str) -> None:
    response.set_cookie(
        VISITOR_COOKIE,
        token,
        max_age=VISITOR_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def throttle_vote(request: HttpRequest) -> ThrottleState:
    """Count this vote against the client's allowance (KB_FEEDBACK_RATE_LIMIT per window).

    A vote is a write: its count waits as long as the vote's own write would, and a vote that
    cannot be counted is not taken (`counted` False: the view answers 503), so a burst of votes
    cannot slip past the limit by crowding the lock."""
    return throttle.hit(
        "votes",
        request,
        settings.KB_FEEDBACK_RATE_LIMIT,
        settings.KB_FEEDBACK_RATE_WINDOW,
        fail_closed=True,
        wait=settings.KB_DATABASE_LOCK_WAIT_SECONDS,
    )


UNCOUNTED_MESSAGE = "Your vote could not be recorded just now. Please try again in a minute."


# What the entry page says after a vote without JavaScript: the vote redirects to the page
# with `?voted=…`, so the page itself stays the same for everybody and can be cached.
VOTED_PARAMETER = "voted"


@dataclass(frozen=True)
class ShownVote:
    """A vote as the widget shows it: only what the page's address says, nothing stored."""

    helpful: bool
    reason: str = ""


SHOWN_VOTES = {
    "yes": ShownVote(helpful=True),
    "no": ShownVote(helpful=False),
    "noted": ShownVote(helpful=False, reason="noted"),
}


def voted_state(vote: Feedback) -> str:
    """The `voted` value of the address a vote redirects to."""
    if vote.helpful:
        return "yes"
    return "noted" if vote.reason else "no"


def widget_context(
    request: HttpRequest,
    entry,
    *,
    vote: Feedback | None = None,
    form: FeedbackForm | None = None,
    error: str = "",
) -> dict:
    """What the entry page's "Was this helpful?" widget shows: after a vote, that vote; on the
    page, what its `?voted=` says (the page is the same for every visitor, see
    kb/content/caching.py)."""
    shown = vote or SHOWN_VOTES.get(request.GET.get(VOTED_PARAMETER, ""))
    return {
        "feedback_vote": shown,
        "feedback_form": form or FeedbackForm(),
        "feedback_error": error,
    }
