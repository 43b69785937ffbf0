"""A month of made-up but plausible reader activity, for pictures of the support loop.

Run by bench/support_screenshots.py inside a throwaway site (KB_DATA_DIR set), after the FAQ is
loaded: an engineer account, entry owners and verifications (some due, one flagged), reading
counts, what readers read next, votes, escalations, and a search log with successful searches,
unanswered ones (grouped into gaps, one drafted, one resolved) and symptoms to propose. The
same every time (a fixed random seed), relative to today.
"""

import os
import random
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from kb.models import (  # noqa: E402
    Category,
    Entry,
    Escalation,
    Feedback,
    HandledGap,
    ReadingDay,
    ReadNext,
    SearchRecord,
)

ENGINEER = ("engineer", "a-long-test-password")
DAYS = 30
# How often each entry is read, relative to the others, and how often it leaves readers stuck.
POPULAR = {
    "rate-limit-429": (9, 0.03),
    "refresh-token-invalid": (8, 0.09),
    "access-token-not-working": (7, 0.05),
    "cors-no-access-control-allow-origin": (6, 0.04),
    "app-not-connected-403": (5, 0.10),
    "mpz-company-id-query-parameter": (4, 0.04),
    "sandbox-not-responding": (3, 0.12),
    "webhooks-change-notifications": (3, 0.06),
}
SUCCESSFUL = {
    "429": "rate-limit-429",
    "invalid_grant": "refresh-token-invalid",
    "401 unauthorized": "access-token-not-working",
    "cors": "cors-no-access-control-allow-origin",
    "app is not connected to this company": "app-not-connected-403",
    "procore-company-id": "mpz-company-id-query-parameter",
}
GAPS = {  # query: how many searches found nothing to open
    "zapier connector timeout": 9,
    "zapier connectors timing out": 4,
    "webhook retry schedule": 6,
    "webhooks retrying": 3,
    "bulk upload csv": 4,
    "upload csv in bulk": 2,
    "sandbox login loop": 3,
    "daily log attachments": 2,
}
DRAFTED = ["bulk upload csv", "upload csv in bulk"]
RESOLVED = ("sandbox login loop", "sandbox-not-responding")
PROPOSED = {  # searches that opened an entry from below another one
    "too many requests burst": ("rate-limit-429", 3, 5),
    "api calls refused after a while": ("rate-limit-429", 4, 3),
    "token works then stops": ("access-token-not-working", 2, 4),
}


def at(day: int, rng: random.Random) -> datetime:
    moment = datetime.combine(timezone.localdate() - timedelta(days=day), time(8))
    return timezone.make_aware(moment) + timedelta(minutes=rng.randrange(0, 9 * 60))


def main() -> None:
    rng = random.Random(12)
    users = get_user_model().objects
    engineer = users.create_superuser(ENGINEER[0], "engineer@example.com", ENGINEER[1])
    maria = users.create_user("maria", "maria@example.com", "x" * 20, is_staff=True)
    tom = users.create_user("tom", "", "x" * 20, is_staff=True)
    entries = {entry.slug: entry for entry in Entry.objects.all()}
    owners = [maria, tom, engineer, None]
    for n, entry in enumerate(entries.values()):
        entry.owner = owners[n % len(owners)]
        entry.last_verified = timezone.now() - timedelta(days=rng.choice([12, 40, 90, 200, 260]))
        entry.verified_by = engineer
        entry.save(update_fields=["owner", "last_verified", "verified_by"])
    Entry.objects.filter(slug="app-not-connected-403").flag_for_review(
        "A reader said it did not help: “The app is installed but I still get 403”"
    )

    for day in range(DAYS):
        for slug, (weight, stuck) in POPULAR.items():
            views = weight * rng.randint(3, 6)
            sessions = max(1, int(views * rng.uniform(0.55, 0.75)))
            ReadingDay.objects.create(
                entry=entries[slug], day=_day(day), views=views, sessions=sessions
            )
            # Fewer escalations in recent weeks: the answers got better.
            rate = stuck * (1.4 if day > 14 else 1.0)
            for _ in range(sum(rng.random() < rate for _ in range(sessions))):
                Escalation.objects.create(
                    channel=rng.choice(["form", "form", "email"]),
                    entry=entries[slug],
                    vote=rng.choice(["", "", "unhelpful"]),
                    created=at(day, rng),
                )
            for n in range(rng.randint(0, weight // 2)):
                Feedback.objects.create(
                    entry=entries[slug],
                    helpful=rng.random() > stuck * 4,
                    visitor_key=f"seed-{slug}-{day}-{n}",
                )
    ReadNext.objects.create(
        from_entry=entries["refresh-token-invalid"],
        to_entry=entries["access-token-lifetime"],
        day=_day(1),
        count=14,
    )

    for query, slug in SUCCESSFUL.items():
        for _ in range(rng.randint(8, 20)):
            SearchRecord.objects.create(
                query=query,
                results=rng.randint(2, 6),
                opened=True,
                opened_entry=entries[slug],
                opened_rank=1,
                created=at(rng.randrange(DAYS), rng),
            )
    for query, times in GAPS.items():
        for _ in range(times):
            created = at(rng.randrange(2, DAYS), rng)
            SearchRecord.objects.create(query=query, results=rng.choice([0, 0, 3]), created=created)
    for query in DRAFTED:
        HandledGap.objects.create(query=query, entry=_draft(), handled_by=engineer)
    query, slug = RESOLVED
    SearchRecord.objects.create(
        query=query, results=2, opened=True, opened_entry=entries[slug], opened_rank=1
    )
    for query, (slug, rank, times) in PROPOSED.items():
        for _ in range(times):
            SearchRecord.objects.create(
                query=query,
                results=5,
                opened=True,
                opened_entry=entries[slug],
                opened_rank=rank,
                created=at(rng.randrange(DAYS), rng),
            )


def _day(days_ago: int):
    return timezone.localdate() - timedelta(days=days_ago)


def _draft() -> Entry:
    draft = Entry.objects.filter(slug="bulk-upload-csv").first()
    if draft is None:
        draft = Entry.objects.create(
            category=Category.objects.get(slug="general"),
            question="How do I upload many records from a CSV file?",
            slug="bulk-upload-csv",
            answer="",
            symptoms="\n".join(DRAFTED),
        )
    return draft


if __name__ == "__main__":
    main()
