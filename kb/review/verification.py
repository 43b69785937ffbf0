"""Verified answers: marking entries verified, saying why one is due, and the owners' digest.

An entry is due for review when its interval has run out since it was last verified (see
EntryQuerySet.with_review_due) or when something asked for an early review: a reader who said
why an answer did not help, or an engineer who edited an error code the entry explains. Only
published entries are reviewed: a draft is not yet an answer anybody relies on.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kb.content.models import Entry, publishers

VERIFY_FIELDS = ["last_verified", "verified_by", "review_requested", "review_request_note"]


def due_entries(now: datetime | None = None):
    return Entry.objects.published().due_for_review(now)


def verify(entries: Iterable[Entry], user, now: datetime | None = None) -> int:
    """Mark entries verified by `user`; each gets a revision in its history, named so."""
    now = now or timezone.now()
    count = 0
    for entry in entries:
        entry.last_verified = now
        entry.verified_by = user
        entry.review_requested = None
        entry.review_request_note = ""
        entry._change_reason = "Marked as verified"
        entry._history_user = user
        # Not `updated`: the answer did not change, so neither does "Last updated".
        entry.save(update_fields=VERIFY_FIELDS)
        count += 1
    return count


def review_state(entry: Entry, now: datetime | None = None) -> str:
    """One line for an engineer: when the entry was verified and when it is due, and why."""
    now = now or timezone.now()
    if entry.last_verified:
        who = f" by {entry.verified_by}" if entry.verified_by else ""
        verified = f"Verified on {entry.last_verified:%Y-%m-%d}{who}"
    else:
        verified = "Never verified"
    scheduled = entry.scheduled_review
    when = "was due" if scheduled <= now else "due"
    text = f"{verified}; {when} on {scheduled:%Y-%m-%d} (every {entry.review_interval} days)."
    if entry.review_requested:
        note = entry.review_request_note or "no reason given"
        text += f" Early review asked on {entry.review_requested:%Y-%m-%d}: {note}"
    return text


def due_counts_by_owner(now: datetime | None = None) -> list[dict]:
    """[{"owner": user or None, "due": n}], the largest first, for the admin home."""
    # The entry's owner, else its category's default owner: who has to check it.
    rows = (
        due_entries(now)
        .with_responsible()
        .order_by()
        .values("responsible")
        .annotate(due=Count("pk"))
        .order_by("-due")
    )
    owners = get_user_model().objects.in_bulk(
        [row["responsible"] for row in rows if row["responsible"]]
    )
    return [{"owner": owners.get(row["responsible"]), "due": row["due"]} for row in rows]


# --- The daily digest ---------------------------------------------------------------------


@dataclass
class WaitingRevision:
    """A draft revision waiting for review, as the digest lists it (kb.editorial builds them:
    this package does not know revisions)."""

    question: str
    author: str
    asked_at: datetime
    note: str
    admin_url: str  # absolute: the entry's form, where the revision is compared and approved


@dataclass
class DigestReport:
    sent: list[tuple[str, int, int]] = field(default_factory=list)  # (address, due, waiting)
    without_address: list[str] = field(default_factory=list)  # owners' usernames
    unowned: int = 0  # due entries nobody owns
    reviewers_without_address: list[str] = field(default_factory=list)  # while revisions wait


def send_review_digests(
    now: datetime | None = None, dry_run: bool = False, waiting: list[WaitingRevision] = ()
) -> DigestReport:
    """E-mail each owner the list of their entries due for review, and each reviewer (who may
    publish entries) the revisions waiting for review, through Django's mail framework
    (EMAIL_BACKEND: the console unless configured). One message per person, with both lists
    when they have both; a reviewer with nothing due still gets one while a revision waits."""
    now = now or timezone.now()
    due = due_entries(now).select_related("owner", "category__default_owner").order_by("review_due")
    by_owner: dict = {}
    report = DigestReport()
    for entry in due:
        # An entry without an owner goes to its category's default owner.
        if entry.responsible is None:
            report.unowned += 1
        else:
            by_owner.setdefault(entry.responsible, []).append(entry)
    reviewers = list(publishers()) if waiting else []
    for reviewer in reviewers:
        by_owner.setdefault(reviewer, [])
    messages = []
    for person, entries in sorted(by_owner.items(), key=lambda item: item[0].username):
        waits = list(waiting) if person in reviewers else []
        if not person.email or not person.is_active:
            if entries:
                report.without_address.append(person.username)
            if waits:
                report.reviewers_without_address.append(person.username)
            continue
        messages.append(_digest_message(person, entries, waits, now))
        report.sent.append((person.email, len(entries), len(waits)))
    if messages and not dry_run:
        with mail.get_connection() as connection:
            connection.send_messages(messages)
    return report


def _digest_message(
    owner, entries: list[Entry], waiting: list[WaitingRevision], now: datetime
) -> mail.EmailMessage:
    parts = []
    if entries:
        count = len(entries)
        parts.append(f"{count} knowledge-base answer{'s' if count != 1 else ''} due for review")
    if waiting:
        count = len(waiting)
        parts.append(
            f"{count} revision{'s' if count != 1 else ''} waiting for your approval"
            if entries
            else f"{count} knowledge-base revision{'s' if count != 1 else ''} waiting for review"
        )
    body = render_to_string(
        "kb/email/review_digest.txt",
        {
            "owner": owner,
            "entries": [
                {
                    "question": entry.question,
                    "state": review_state(entry, now),
                    "admin_url": settings.KB_SITE_URL
                    + reverse("admin:kb_entry_change", args=[entry.pk]),
                }
                for entry in entries
            ],
            "list_url": settings.KB_SITE_URL
            + reverse("admin:kb_entry_changelist")
            + f"?review=due&responsible={owner.pk}",
            "waiting": waiting,
            "queue_url": settings.KB_SITE_URL
            + reverse("admin:kb_entry_changelist")
            + "?revision=waiting",
        },
    )
    return mail.EmailMessage("; ".join(parts), body, to=[owner.email])
