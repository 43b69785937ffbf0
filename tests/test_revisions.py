"""Draft revisions: a change to a published entry prepared beside it, the published answer
live everywhere until the revision is published (kb/editorial/revisions.py)."""

import pytest
from django.test import Client

from kb.models import Entry, EntryRevision
from tests.factories import change_form_data, make_staff
from tests.html import parse

NEW_ANSWER = "Back off until `X-Rate-Limit-Reset`, then retry **once**."


@pytest.fixture
def rate_limit(faq) -> Entry:
    return Entry.objects.get(slug="rate-limit-429")


def url(entry: Entry, action: str = "change") -> str:
    if action == "change":
        return f"/admin/kb/entry/{entry.pk}/change/"
    return f"/admin/kb/entry/{entry.pk}/revision/{action}/"


def save_revision(client, entry: Entry, **changes):
    data = {**change_form_data(entry, **changes), "_save_revision": "Save as a draft revision"}
    data.setdefault(
        "revision_version",
        EntryRevision.objects.filter(entry=entry).values_list("version", flat=True).first() or 0,
    )
    return client.post(url(entry), data)


def publish_revision(client, entry: Entry, **kwargs):
    """Press "Publish the revision" on a page that shows the pending revision as it is now."""
    version = EntryRevision.objects.filter(entry=entry).values_list("version", flat=True).first()
    return client.post(url(entry, "publish"), {"revision_version": version or 0}, **kwargs)


def stored(entry: Entry) -> dict:
    return Entry.objects.filter(pk=entry.pk).values().get()


def test_a_revision_keeps_the_published_answer_live(staff_client, staff_user, rate_limit):
    before = stored(rate_limit)
    response = save_revision(staff_client, rate_limit, answer=NEW_ANSWER, question="Why 429?")
    assert response.status_code == 302
    assert stored(rate_limit) == before
    revision = EntryRevision.objects.get(entry=rate_limit)
    assert (revision.answer, revision.question, revision.author) == (
        NEW_ANSWER,
        "Why 429?",
        staff_user,
    )
    page = Client().get("/faq/rate-limit-429/").content.decode()
    assert "then retry" not in page and "Why 429?" not in page
    twin = Client().get("/faq/rate-limit-429.md").content.decode()
    assert "retry **once**" not in twin


def test_the_form_says_a_revision_is_pending_and_shows_its_diff(staff_client, rate_limit):
    save_revision(staff_client, rate_limit, answer=NEW_ANSWER)
    page = parse(staff_client.get(url(rate_limit)).content)
    panel = page.find("section", id="revision-pending")
    assert "A draft revision is pending" in panel.words
    assert "once" in " ".join(ins.words for ins in panel.find("table").find_all("ins"))
    assert "<strong>once</strong>" in panel.find("details").markup
    listed = parse(staff_client.get("/admin/kb/entry/", {"q": "rate-limit-429"}).content)
    assert "revision pending" in listed.find("td", cls="field-status_column").words


def test_publishing_the_revision_applies_it_with_history(
    staff_client, staff_user, rate_limit, django_capture_on_commit_callbacks
):
    save_revision(staff_client, rate_limit, answer=NEW_ANSWER)
    version = stored(rate_limit)["version"]
    with django_capture_on_commit_callbacks(execute=True):
        response = publish_revision(staff_client, rate_limit)
    assert response.status_code == 302
    rate_limit.refresh_from_db()
    assert rate_limit.answer == NEW_ANSWER
    assert rate_limit.version == version + 1
    assert not EntryRevision.objects.filter(entry=rate_limit).exists()
    latest = rate_limit.history.first()
    assert (latest.answer, latest.history_user) == (NEW_ANSWER, staff_user)
    assert "<strong>once</strong>" in Client().get("/faq/rate-limit-429/").content.decode()


def test_discarding_drops_the_revision(staff_client, rate_limit):
    save_revision(staff_client, rate_limit, answer=NEW_ANSWER)
    before = stored(rate_limit)
    assert staff_client.post(url(rate_limit, "discard")).status_code == 302
    assert not EntryRevision.objects.filter(entry=rate_limit).exists()
    assert stored(rate_limit) == before


def test_a_revision_drafted_before_the_entry_changed_is_not_published(staff_client, rate_limit):
    save_revision(staff_client, rate_limit, answer=NEW_ANSWER)
    staff_client.post(url(rate_limit), change_form_data(rate_limit, order=5))
    before = stored(rate_limit)
    response = publish_revision(staff_client, rate_limit, follow=True)
    assert "Not published: the entry changed" in response.content.decode()
    assert stored(rate_limit) == before
    assert EntryRevision.objects.filter(entry=rate_limit).exists()


def test_a_revision_saved_since_the_form_was_opened_is_not_replaced_unseen(rate_limit):
    alice, bob = Client(), Client()
    alice.force_login(make_staff("alice", "view_entry", "change_entry"))
    bob.force_login(make_staff("bob", "view_entry", "change_entry"))
    save_revision(alice, rate_limit, answer="Alice's revision.")
    refused = save_revision(bob, rate_limit, answer="Bob's revision.", revision_version=0)
    assert refused.status_code == 200
    assert "alice saved another draft revision" in refused.content.decode()
    assert EntryRevision.objects.get(entry=rate_limit).answer == "Alice's revision."


def test_a_draft_entry_is_saved_as_itself(staff_client, rate_limit):
    rate_limit.status = Entry.Status.DRAFT
    rate_limit.save()
    save_revision(staff_client, rate_limit, status="draft", answer=NEW_ANSWER)
    rate_limit.refresh_from_db()
    assert rate_limit.answer == NEW_ANSWER
    assert not EntryRevision.objects.exists()


def test_without_the_change_permission_revisions_change_nothing(staff_client, rate_limit):
    save_revision(staff_client, rate_limit, answer=NEW_ANSWER)
    viewer = Client()
    viewer.force_login(make_staff("viewer", "view_entry"))
    entry_before = stored(rate_limit)
    revision_before = EntryRevision.objects.filter(entry=rate_limit).values().get()
    save_revision(viewer, rate_limit, answer="Forged.")
    assert publish_revision(viewer, rate_limit).status_code == 403
    assert viewer.post(url(rate_limit, "discard")).status_code == 403
    assert stored(rate_limit) == entry_before
    assert EntryRevision.objects.filter(entry=rate_limit).values().get() == revision_before
    page = parse(viewer.get(url(rate_limit)).content)
    assert page.find_all("form", cls="revision-action") == []


def test_publishing_without_a_revision_is_not_found(staff_client, rate_limit):
    assert staff_client.post(url(rate_limit, "publish")).status_code == 404
    assert staff_client.get(url(rate_limit, "publish")).status_code == 405
