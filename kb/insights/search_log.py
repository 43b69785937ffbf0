"""Search insights: what the public searched for, and whether it found something to open.

The search view calls `record_search` after every public search and puts a signed reference
to the record on each result link (`?sq=<token>`); the reading middleware calls `mark_opened`
with it when the entry page is read. Only the normalized query text, the result count, the
time, which result was opened first and from which place, and the same browser's previous
fruitless search are stored.

Every reference to a record that travels through a browser is signed (django.core.signing),
so nobody can rewrite or mark another visitor's record by sending its sequential id: the
`refines` field of the live search, the `?sq=` of result links (signed for one entry, so it
is worth nothing on another) and the last-search cookie. A reference that does not verify is
ignored without a word.
"""

import logging
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core import signing
from django.db import DatabaseError
from django.db.models import QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kb.content.models import Entry
from kb.insights.models import SearchRecord
from kb.web.errors import forget_connection_if_refused
from kb.web.waits import optional_write

logger = logging.getLogger(__name__)

# A result link opened long after the search (a bookmark, a shared URL) says nothing
# about that search, so only recent records can be marked as opened.
OPEN_WINDOW = timedelta(hours=6)
# Searches from one box within this time that extend or trim each other are one search.
REFINE_WINDOW = timedelta(minutes=2)
# Text that a search box sends this soon after its last was typed on the way, not read.
TYPING_PAUSE = timedelta(seconds=3)

PERIOD_CHOICES = [(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")]
DEFAULT_PERIOD = 30


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(choices=PERIOD_CHOICES, coerce=int, initial=DEFAULT_PERIOD)


def period_form(data) -> tuple[PeriodForm, int]:
    """The period chosen on an insights page, and the form to show; an odd value is 30 days."""
    form = PeriodForm(data or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["days"]
    return PeriodForm(initial={"days": DEFAULT_PERIOD}), DEFAULT_PERIOD


def normalize_query(query: str) -> str:
    """Trimmed, single-spaced, lower-case and short, so that variants count as one query."""
    # NUL cannot be stored in a PostgreSQL text column; treat it as a space.
    text = " ".join(query.replace("\x00", " ").split()).lower()
    return text[: SearchRecord.QUERY_MAX_LENGTH].rstrip()


# The browser's last search, for the "Still stuck?" form and to link a fruitless search to
# the one that follows it. Long enough for a developer to read an answer and come back.
LAST_SEARCH_COOKIE = "kb_last_search"
LAST_SEARCH_MAX_AGE = 2 * 60 * 60
# A fruitless search counts as the first try of the next one only this soon before it.
FOLLOW_WINDOW = timedelta(minutes=30)

_REFINES_SALT = "kb.search.refines"
_OPENED_SALT = "kb.search.opened:"  # + the entry's slug: a token is good for one entry only
_LAST_SEARCH_SALT = "kb.search.last"


def refines_token(search_id: int) -> str:
    """What the live search sends back as `refines`, to update its own record in place."""
    return signing.Signer(salt=_REFINES_SALT).sign(str(search_id))


def result_token(search_id: int, rank: int, slug: str) -> str:
    """The `?sq=` of the result link to `slug`, shown at place `rank` (1 is the top)."""
    return signing.Signer(salt=_OPENED_SALT + slug).sign(f"{search_id}.{rank}")


def _unsign(token, salt: str) -> str | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    try:
        return signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        return None


def _as_id(text: str | None) -> int | None:
    # Beyond 18 digits it is junk, and too big for the database's 64-bit ids.
    if text and text.isascii() and text.isdecimal() and len(text) <= 18:
        return int(text)
    return None


def record_search(
    query: str,
    total: int,
    refines: str | None = None,
    previous: int | None = None,
    answered: bool | None = None,
    first_slug: str | None = None,
) -> int | None:
    """Store one public search; returns the record's id, or None for an empty query.

    Searching as you type sends "refu", "refresh", "refresh tok"... each time the typist
    pauses. `refines` is the signed reference to the search that the same search box sent just
    before: while the new query only extends or trims that one, and no result of it was
    opened, the record is updated in place, so insights count what people finally searched
    for, not every keystroke. `previous` is the id of the browser's last search (from its
    signed cookie): when that one was fruitless and recent, the new record points to it.

    One search is one record, however many requests it takes: text typed in the same box
    within TYPING_PAUSE of the last (a search box sends what it has whenever the typist
    pauses, "x" on the way to "token calc") replaces it whatever it says, and the same query
    again from the same browser within REFINE_WINDOW (the live search's text submitted with
    Enter, the results page reloaded) is the same search.
    """
    normalized = normalize_query(query or "")
    if not normalized:
        return None
    results = max(int(total), 0)
    first = None
    if first_slug:
        first = Entry.objects.filter(slug=first_slug).values_list("pk", flat=True).first()
    now = timezone.now()
    refined = _recent_record(_as_id(_unsign(refines, _REFINES_SALT)), REFINE_WINDOW)
    if refined is not None and not refined.opened:
        typing = refined.created >= now - TYPING_PAUSE
        if typing or _same_search(refined.query, normalized):
            refined.query, refined.results, refined.answered = normalized, results, answered
            refined.first_entry_id, refined.created = first, now
            refined.save(update_fields=["query", "results", "answered", "first_entry", "created"])
            return refined.pk
    again = _recent_record(previous, REFINE_WINDOW)
    if again is not None and again.query == normalized:
        return again.pk
    follows = _recent_record(previous, FOLLOW_WINDOW)
    if follows is not None and (follows.opened and follows.results or follows.query == normalized):
        follows = None  # it led somewhere, or it is the same search again
    return SearchRecord.objects.create(
        query=normalized, results=results, answered=answered, first_entry_id=first, follows=follows
    ).pk


def log_public_search(
    request: HttpRequest,
    query: str,
    total: int,
    refines: str | None = None,
    answered: bool | None = None,
    first_slug: str | None = None,
) -> int | None:
    """Record a search from the public search page, unless an engineer made it; returns the
    record's id, or None when nothing was recorded.

    The log is worth less than the answer: when the database refuses the write (read-only),
    or another writer holds its lock longer than an optional write waits (kb/web/waits.py),
    the search goes on unlogged."""
    if request.user.is_staff:  # engineers checking the insights would skew them
        return None
    try:
        previous = last_search_id(request)
        with optional_write():
            return record_search(query, total, refines, previous, answered, first_slug)
    except DatabaseError as exc:
        logger.warning("the search was not logged: %s", exc)
        forget_connection_if_refused(exc)
        return None


def _same_search(before: str, after: str) -> bool:
    return before.startswith(after) or after.startswith(before)


def _recent_record(search_id: int | None, window: timedelta) -> SearchRecord | None:
    if search_id is None:
        return None
    return SearchRecord.objects.filter(pk=search_id, created__gte=timezone.now() - window).first()


def mark_opened(token: str | None, slug: str) -> None:
    """Note that a result of a search was opened: the entry `slug`, from place `rank`.

    Only a token signed for this very entry counts, and only for a recent search; anything else
    is ignored. One UPDATE, whose subquery finds the entry, so the page costs no extra read.
    """
    value = _unsign(token, _OPENED_SALT + slug)
    search_id, _, rank = (value or "").partition(".")
    search_id, rank = _as_id(search_id), _as_id(rank)
    if search_id is None or rank is None or not 1 <= rank <= 1000:
        return
    with optional_write():  # the page is worth more than the mark: see kb/web/waits.py
        SearchRecord.objects.filter(
            pk=search_id, opened=False, created__gte=timezone.now() - OPEN_WINDOW
        ).update(
            opened=True,
            opened_rank=rank,
            opened_entry=Subquery(Entry.objects.filter(slug=slug).values("pk")[:1]),
        )


def remember_last_search(response: HttpResponse, search_id: int) -> None:
    response.set_cookie(
        LAST_SEARCH_COOKIE,
        signing.Signer(salt=_LAST_SEARCH_SALT).sign(str(search_id)),
        max_age=LAST_SEARCH_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def last_search_id(request: HttpRequest) -> int | None:
    """The id of this browser's last public search, from its signed cookie; None if forged."""
    return _as_id(_unsign(request.COOKIES.get(LAST_SEARCH_COOKIE), _LAST_SEARCH_SALT))


def last_search(request: HttpRequest) -> SearchRecord | None:
    search_id = last_search_id(request)
    if search_id is None:
        return None
    cutoff = timezone.now() - timedelta(seconds=LAST_SEARCH_MAX_AGE)
    return SearchRecord.objects.filter(pk=search_id, created__gte=cutoff).first()


def insights(days: int, limit: int = 50) -> dict[str, QuerySet]:
    """The three lists of the admin's insights page, for the last `days` days."""
    records = SearchRecord.objects.since(timezone.now() - timedelta(days=days))
    return {
        "total_searches": records.count(),
        "top_queries": records.top_queries()[:limit],
        "without_results": records.without_results()[:limit],
        "never_opened": records.never_opened()[:limit],
    }
