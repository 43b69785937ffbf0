""" "Was this helpful?": the vote form, who the visitor is, and the flood throttle.

A visitor is a random token in a long-lived cookie; the database keeps only a keyed hash of
it (`visitor_key`), so one browser counts once per entry and nothing stored points to a
person. The throttle counts votes per client address in the shared cache, under a keyed hash
of the address that expires with the window; no address is ever written to the database.
"""

import re
import secrets
import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from kb.editorial.models import Feedback

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


@dataclass
class ThrottleState:
    allowed: bool
    retry_after: int


def throttle_vote(request: HttpRequest) -> ThrottleState:
    """Count this vote against the client's allowance for the current window.

    Fixed windows keep it to one cache read and one write. The read-then-write is not
    atomic, so two votes racing in the same instant may count once: harmless at this scale.
    Behind a reverse proxy every client shares the proxy's address; see README.md.
    """
    window = settings.KB_FEEDBACK_RATE_WINDOW
    now = time.time()
    window_number = int(now // window)
    address = request.META.get("REMOTE_ADDR", "")
    client = salted_hmac("kb.feedback.client", address, algorithm="sha256").hexdigest()
    key = f"kb:feedback-votes:{client}:{window_number}"
    count = (cache.get(key) or 0) + 1
    cache.set(key, count, timeout=window)
    retry_after = max(int((window_number + 1) * window - now), 1)
    return ThrottleState(count <= settings.KB_FEEDBACK_RATE_LIMIT, retry_after)


def widget_context(
    request: HttpRequest,
    entry,
    *,
    vote: Feedback | None = None,
    form: FeedbackForm | None = None,
    error: str = "",
) -> dict:
    """What the entry page's "Was this helpful?" widget shows to this visitor."""
    return {
        "feedback_vote": vote or current_vote(request, entry),
        "feedback_form": form or FeedbackForm(),
        "feedback_error": error,
    }
