"""Verified answers: owners, review intervals, verifying, due for review, early reviews, the
public page, and the daily digest."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kb.models import Entry
from tests.factories import (
    days_ago,
    limited_client,
    make_category,
    make_entry,
    make_error_code,
    make_staff,
)
from tests.html import parse
from tests.htmx import HtmxClient


def verified(entry: Entry, days: int, **changes) -> Entry:
    """Pretend the entry was last verified `days` ago."""
    Entry.objects.filter(pk=entry.pk).update(last_verified=days_ago(days), **changes)
    return Entry.objects.with_review_due().get(pk=entry.pk)


# When an entry is due


def test_an_entry_is_due_after_the_default_interval(db, settings):
    settings.KB_REVIEW_INTERVAL_DAYS = 30
    fresh = verified(make_entry(slug="fresh"), days=29)
    stale = verified(make_entry(slug="stale"), days=31)
    assert list(Entry.objects.due_for_review()) == [stale]
    assert fresh.review_due > timezone.now() > stale.review_due


def test_a_category_interval_overrides_the_default_and_an_entry_interval_both(db, settings):
    settings.KB_REVIEW_INTERVAL_DAYS = 365
    fast = make_category(name="Fast", review_interval_days=10)
    in_fast = verified(make_entry(slug="in-fast", category=fast), days=11)
    own = verified(make_entry(slug="own", category=fast, review_interval_days=100), days=11)
    elsewhere = verified(make_entry(slug="elsewhere", category=make_category(name="B")), days=11)
    assert (in_fast.review_interval, own.review_interval, elsewhere.review_interval) == (
        10,
        100,
        365,
    )
    assert set(Entry.objects.due_for_review()) == {in_fast}


def test_a_never_verified_entry_counts_from_its_creation(db, settings):
    settings.KB_REVIEW_INTERVAL_DAYS = 30
    entry = make_entry()
    Entry.objects.filter(pk=entry.pk).update(created=days_ago(31))
    assert list(Entry.objects.due_for_review()) == [entry]


def test_an_early_review_makes_an_entry_due_now(empty_db):
    entry = verified(make_entry(), days=1)
    Entry.objects.filter(pk=entry.pk).flag_for_review("A reader said so")
    entry = Entry.objects.with_review_due().get()
    assert entry.review_due <= timezone.now()
    assert entry.review_request_note == "A reader said so"


def test_a_second_early_review_keeps_the_first_reason(empty_db):
    make_entry()
    Entry.objects.flag_for_review("first")
    Entry.objects.flag_for_review("second")
    assert Entry.objects.get().review_request_note == "first"


# Verifying


def test_the_verify_button_records_the_date_the_engineer_and_a_revision(staff_client, db):
    entry = make_entry(review_requested=days_ago(1), review_request_note="complaint")
    updated_before = entry.updated
    page = staff_client.get(f"/admin/kb/entry/{entry.pk}/change/")
    bar = parse(page.content).find(id="review-bar")
    form = bar.find("form")
    assert "Mark as verified" in bar.find("button").words
    assert "Early review asked" in bar.words

    response = staff_client.post(form.attrs["action"])

    assert response.status_code == 302
    entry.refresh_from_db()
    assert timezone.now() - entry.last_verified < timedelta(minutes=1)
    assert entry.verified_by.username == "engineer"
    assert (entry.review_requested, entry.review_request_note) == (None, "")
    assert entry.updated == updated_before, "verifying is not an edit"
    revision = entry.history.first()
    assert revision.history_change_reason == "Marked as verified"
    assert revision.history_user.username == "engineer"
    assert revision.last_verified == entry.last_verified
    history = staff_client.get(f"/admin/kb/entry/{entry.pk}/history/").content.decode()
    assert "Marked as verified" in history


def test_verifying_with_htmx_answers_with_the_bar_alone(staff_user, db):
    entry = make_entry()
    client = HtmxClient()
    client.force_login(staff_user)
    response = client.post(f"/admin/kb/entry/{entry.pk}/verify/", htmx=True)
    assert response.status_code == 200
    bar = parse(response.content).find(id="review-bar")
    assert f"Verified on {timezone.now():%Y-%m-%d} by engineer" in bar.words
    assert "<html" not in response.content.decode()


def test_the_bulk_action_verifies_the_selected_entries(staff_client, db):
    first, second = make_entry(slug="first"), make_entry(slug="second")
    make_entry(slug="left")
    response = staff_client.post(
        "/admin/kb/entry/", {"action": "mark_verified", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    assert set(Entry.objects.filter(last_verified__isnull=False)) == {first, second}


def test_verifying_needs_the_change_permission(db):
    entry = make_entry()
    viewer = limited_client("viewer", "view_entry")
    assert viewer.post(f"/admin/kb/entry/{entry.pk}/verify/").status_code == 403
    viewer.post("/admin/kb/entry/", {"action": "mark_verified", "_selected_action": [entry.pk]})
    page = parse(viewer.get(f"/admin/kb/entry/{entry.pk}/change/").content)
    assert page.find(id="review-bar").find_all("button") == []
    listing = parse(viewer.get("/admin/kb/entry/").content)
    actions = [option.attrs["value"] for option in listing.find_all("option")]
    assert "mark_verified" not in actions
    entry.refresh_from_db()
    assert entry.last_verified is None


def test_the_verify_url_takes_only_posts(staff_client, db):
    entry = make_entry()
    assert staff_client.get(f"/admin/kb/entry/{entry.pk}/verify/").status_code == 405
    assert staff_client.post("/admin/kb/entry/999999/verify/").status_code == 404


def test_the_owner_and_interval_are_set_on_the_form(staff_client, staff_user, db):
    from tests.factories import change_form_data

    entry = make_entry()
    data = change_form_data(entry, owner=staff_user.pk, review_interval_days=45)
    response = staff_client.post(f"/admin/kb/entry/{entry.pk}/change/", data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.owner, entry.review_interval_days) == (staff_user, 45)
    bad = staff_client.post(
        f"/admin/kb/entry/{entry.pk}/change/", {**data, "review_interval_days": "0"}
    )
    assert bad.status_code == 200 and bad.context["errors"]


# The entry list and the admin home


def test_the_list_filters_and_sorts_by_review_due(staff_client, empty_db, settings):
    settings.KB_REVIEW_INTERVAL_DAYS = 30
    verified(make_entry(slug="later", question="Later?"), days=10)
    verified(make_entry(slug="oldest", question="Oldest?"), days=90)
    verified(make_entry(slug="older", question="Older?"), days=40)

    due = parse(staff_client.get("/admin/kb/entry/", {"review": "due"}).content)
    table = due.find("table", id="result_list")
    listed = [th.words for th in table.find_all("th", cls="field-question")]
    assert sorted(listed) == ["Older?", "Oldest?"]

    html = staff_client.get("/admin/kb/entry/").content.decode()
    table = parse(html).find("table", id="result_list")
    header = [th.words for th in table.find("thead").find_all("th")]
    column = header.index("Review due")
    ordering = table.find("thead").find_all("th")[column].find("a").attrs["href"]
    rows = parse(staff_client.get("/admin/kb/entry/" + ordering).content).find(
        "table", id="result_list"
    )
    questions = [th.words for th in rows.find_all("th", cls="field-question")]
    assert questions == ["Oldest?", "Older?", "Later?"]
    assert "Due since" in rows.find("td", cls="field-review_due_column").words


def test_the_admin_home_counts_due_entries_per_owner(staff_client, db, settings):
    settings.KB_REVIEW_INTERVAL_DAYS = 30
    alice = make_staff("alice")
    for n in range(2):
        verified(make_entry(slug=f"alice-{n}", owner=alice), days=40)
    verified(make_entry(slug="nobody"), days=40)
    verified(make_entry(slug="fine", owner=alice), days=1)
    make_entry(slug="a-draft", status=Entry.Status.DRAFT, owner=alice)

    panel = parse(staff_client.get("/admin/").content).find(id="review-due")
    cells = zip(panel.find_all("th"), panel.find_all("td"), strict=True)
    rows = {th.words: td.words for th, td in cells}
    assert rows == {"alice": "2 due", "Nobody (no owner)": "1 due"}
    link = panel.find("a", cls=None).attrs["href"]
    assert "review=due" in link


def test_the_admin_home_panel_needs_the_view_permission(db):
    make_entry()
    html = limited_client("nobody").get("/admin/").content.decode()
    assert 'id="review-due"' not in html


# Early reviews


def test_a_no_with_a_reason_asks_for_an_early_review(client, empty_db):
    entry = make_entry(slug="rate-limit")
    client.post("/faq/rate-limit/feedback/", {"helpful": "no"})
    assert Entry.objects.get().review_requested is None
    client.post("/faq/rate-limit/feedback/", {"helpful": "no", "reason": "The limit changed"})
    entry.refresh_from_db()
    assert entry.review_requested is not None
    assert "The limit changed" in entry.review_request_note


def test_a_helpful_vote_asks_for_nothing(client, empty_db):
    make_entry(slug="rate-limit")
    client.post("/faq/rate-limit/feedback/", {"helpful": "yes", "reason": "great"})
    assert Entry.objects.get().review_requested is None


def test_editing_an_error_code_asks_to_review_its_entries(staff_client, db):
    linked, other = make_entry(slug="linked"), make_entry(slug="other", question="Other?")
    code = make_error_code()
    code.entries.add(linked)
    data = {
        "code": code.code,
        "name": code.name,
        "meaning": "Changed meaning.",
        "causes": code.causes,
        "fixes": code.fixes,
        "retry": code.retry,
        "retry_guidance": code.retry_guidance,
        "entries": [linked.pk],
        "version": code.version,
        "messages-TOTAL_FORMS": 0,
        "messages-INITIAL_FORMS": 0,
    }
    response = staff_client.post(f"/admin/kb/errorcode/{code.pk}/change/", data)
    assert response.status_code == 302
    linked.refresh_from_db()
    other.refresh_from_db()
    assert "Error code 418" in linked.review_request_note
    assert other.review_requested is None


# What readers see


def test_the_page_says_when_the_answer_was_verified(client, db):
    entry = make_entry(slug="rate-limit")
    html = client.get("/faq/rate-limit/").content.decode()
    assert "Verified on" not in html
    Entry.objects.filter(pk=entry.pk).update(last_verified=timezone.now() - timedelta(days=3))
    meta = parse(client.get("/faq/rate-limit/").content).find("span", cls="verified")
    day = timezone.now() - timedelta(days=3)
    assert meta.words == f"Verified on {day:%-d %B %Y}"
    assert meta.find("time").attrs["datetime"].startswith(f"{day:%Y-%m-%d}T")


def test_the_structured_data_carries_last_reviewed(client, db):
    from tests.test_discovery import faq_page_data

    entry = make_entry(slug="rate-limit")
    assert "lastReviewed" not in faq_page_data(client.get("/faq/rate-limit/").content.decode())
    Entry.objects.filter(pk=entry.pk).update(last_verified=timezone.now() - timedelta(days=3))
    data = faq_page_data(client.get("/faq/rate-limit/").content.decode())
    assert data["lastReviewed"] == f"{timezone.now() - timedelta(days=3):%Y-%m-%d}"


def test_a_category_page_claims_a_review_only_when_all_its_answers_had_one(client, db):
    from tests.test_discovery import faq_page_data

    category = make_category(name="Auth")
    first = make_entry(slug="a", category=category)
    second = make_entry(slug="b", category=category, question="B?")
    Entry.objects.filter(pk=first.pk).update(last_verified=days_ago(3))
    assert "lastReviewed" not in faq_page_data(client.get("/c/auth/").content.decode())
    Entry.objects.filter(pk=second.pk).update(last_verified=days_ago(10))
    data = faq_page_data(client.get("/c/auth/").content.decode())
    assert data["lastReviewed"] == f"{days_ago(10):%Y-%m-%d}"


def test_a_long_overdue_answer_says_so_discreetly(client, db, settings):
    settings.KB_REVIEW_INTERVAL_DAYS = 30
    settings.KB_REVIEW_OVERDUE_NOTICE_DAYS = 60
    entry = make_entry(slug="rate-limit")
    verified(entry, days=80)
    page = parse(client.get("/faq/rate-limit/").content)
    assert page.find_all(cls="review-notice") == []
    verified(entry, days=100)
    notice = parse(client.get("/faq/rate-limit/").content).find("p", cls="review-notice")
    assert "have not checked this answer for a while" in notice.words


def test_an_early_review_request_is_not_shown_to_readers(client, db):
    make_entry(slug="rate-limit")
    Entry.objects.flag_for_review("one reader's complaint")
    html = client.get("/faq/rate-limit/").content.decode()
    assert "review-notice" not in html and "complaint" not in html


def test_a_verification_changes_the_page_validator(client, db):
    from tests.test_caching import revisit

    entry = make_entry(slug="rate-limit")
    etag = revisit(client, "/faq/rate-limit/")
    Entry.objects.filter(pk=entry.pk).update(last_verified=timezone.now())
    response = client.get("/faq/rate-limit/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Verified on" in response.content.decode()


# The daily digest


@pytest.fixture
def due_entries(db, settings):
    settings.KB_REVIEW_INTERVAL_DAYS = 30
    settings.KB_SITE_URL = "https://kb.example.com"
    alice = make_staff("alice")
    alice.email = "alice@example.com"
    alice.save()
    bob = make_staff("bob")  # no e-mail address
    verified(make_entry(slug="a1", question="Alice's stale answer?", owner=alice), days=40)
    flagged = make_entry(slug="a2", question="Alice's flagged answer?", owner=alice)
    Entry.objects.filter(pk=flagged.pk).flag_for_review("A reader said it did not help")
    verified(make_entry(slug="a3", question="Alice's fresh answer?", owner=alice), days=1)
    verified(make_entry(slug="b1", question="Bob's stale answer?", owner=bob), days=40)
    verified(make_entry(slug="n1", question="Nobody's answer?"), days=40)
    return alice


def test_the_digest_mails_each_owner_their_due_entries(due_entries):
    out = StringIO()
    call_command("send_review_digest", stdout=out)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "2 knowledge-base answers due for review"
    assert "Alice's stale answer?" in message.body
    assert "Alice's flagged answer?" in message.body
    assert "A reader said it did not help" in message.body
    assert "fresh" not in message.body and "Bob" not in message.body
    flagged = Entry.objects.get(slug="a2")
    assert f"https://kb.example.com/admin/kb/entry/{flagged.pk}/change/" in message.body
    report = out.getvalue()
    assert "Sent 1 digest" in report
    assert "bob" in report and "no e-mail address" in report
    assert "1 due entry has no owner" in report


def test_the_digest_can_be_tried_without_sending(due_entries):
    out = StringIO()
    call_command("send_review_digest", dry_run=True, stdout=out)
    assert mail.outbox == []
    assert "alice@example.com: 2 entries" in out.getvalue()


def test_mail_goes_to_the_console_unless_configured():
    from kb import settings as kb_settings

    # pytest-django swaps in the memory backend for the tests; the site's default is this.
    assert kb_settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
