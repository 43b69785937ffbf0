"""Review before publishing, switched on per site (KB_REVIEW_BEFORE_PUBLISHING): an engineer
without the publish permission saves revisions and asks for review; a reviewer approves or
sends back; nothing else of theirs goes live (kb/editorial/approval.py)."""

from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.test import Client

from kb.models import Entry, EntryRevision
from tests.factories import change_form_data, make_entry, make_search, make_staff
from tests.html import parse

NEW_ANSWER = "Back off until `X-Rate-Limit-Reset`, then retry **once**."


@pytest.fixture
def review_on(settings):
    settings.KB_REVIEW_BEFORE_PUBLISHING = True


@pytest.fixture
def rate_limit(faq) -> Entry:
    return Entry.objects.get(slug="rate-limit-429")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def author_user(django_user_model, faq):
    """A support engineer who holds every kb permission but the publish one."""
    user = django_user_model.objects.create_user(
        username="alice", password="a-long-test-password", is_staff=True, email="a@example.com"
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="kb").exclude(codename="publish_entry")
    )
    return user


@pytest.fixture
def author(author_user) -> Client:
    return client_for(author_user)


@pytest.fixture
def reviewer_user(faq):
    user = make_staff("rosa", "view_entry", "change_entry", "publish_entry")
    user.email = "rosa@example.com"
    user.save()
    return user


@pytest.fixture
def reviewer(reviewer_user) -> Client:
    return client_for(reviewer_user)


def url(entry: Entry, action: str = "change") -> str:
    if action in ("change", "delete"):
        return f"/admin/kb/entry/{entry.pk}/{action}/"
    return f"/admin/kb/entry/{entry.pk}/revision/{action}/"


def revision_version(entry: Entry) -> int:
    return EntryRevision.objects.filter(entry=entry).values_list("version", flat=True).first() or 0


def save_revision(client, entry: Entry, ask: bool = False, note: str = "", **changes):
    data = {
        **change_form_data(entry, **changes),
        "_save_revision": "ask" if ask else "Save as a draft revision",
        "review_note": note,
        "revision_version": revision_version(entry),
    }
    return client.post(url(entry), data)


def approve(client, entry: Entry, version: int | None = None, **kwargs):
    version = revision_version(entry) if version is None else version
    return client.post(url(entry, "publish"), {"revision_version": version}, **kwargs)


def send_back(client, entry: Entry, comment: str, version: int | None = None, **kwargs):
    version = revision_version(entry) if version is None else version
    data = {"comment": comment, "revision_version": version}
    return client.post(url(entry, "send-back"), data, **kwargs)


def stored() -> dict:
    """What an engineer could change: every entry and every pending revision, as plain values."""
    return {
        "entries": list(Entry.objects.order_by("pk").values()),
        "revisions": list(EntryRevision.objects.order_by("pk").values()),
    }


# --- Who may publish ------------------------------------------------------------------------


def test_it_is_off_by_default_and_then_changing_is_publishing(author, rate_limit):
    from kb import settings as kb_settings

    assert kb_settings.KB_REVIEW_BEFORE_PUBLISHING is False
    response = author.post(url(rate_limit), change_form_data(rate_limit, answer=NEW_ANSWER))
    assert response.status_code == 302
    rate_limit.refresh_from_db()
    assert rate_limit.answer == NEW_ANSWER
    page = parse(author.get(url(rate_limit)).content)
    assert [b for b in page.find_all("button") if b.attrs.get("value") == "ask"] == []


def test_without_the_publish_permission_a_published_entry_is_not_saved_straight(
    review_on, author, rate_limit
):
    before = stored()
    response = author.post(url(rate_limit), change_form_data(rate_limit, answer=NEW_ANSWER))
    assert response.status_code == 200
    assert "changes to published entries are reviewed" in parse(response.content).text
    assert stored() == before


def test_without_the_publish_permission_unpublishing_in_the_form_is_refused(
    review_on, author, rate_limit
):
    before = stored()
    data = change_form_data(rate_limit, status="draft", _confirm_unpublish="yes")
    response = author.post(url(rate_limit), data)
    assert "changes to published entries are reviewed" in parse(response.content).text
    assert stored() == before


def test_without_the_publish_permission_a_draft_is_not_made_published(review_on, author, faq):
    draft = make_entry(slug="new-draft", status=Entry.Status.DRAFT)
    before = stored()
    form = parse(author.get(url(draft)).content)
    offered = [option.attrs["value"] for option in form.find("select", id="id_status").find_all()]
    assert offered == ["draft"]
    assert "Only engineers who may publish entries" in form.find("div", cls="field-status").text
    response = author.post(url(draft), change_form_data(draft, status="published"))
    assert response.status_code == 200
    assert parse(response.content).find("ul", id="id_status_error") is not None
    assert stored() == before

    data = {**change_form_data(draft, slug="another-draft", status="published"), "version": ""}
    assert author.post("/admin/kb/entry/add/", data).status_code == 200
    assert stored() == before


def test_without_the_publish_permission_a_draft_is_still_edited_and_added(review_on, author, faq):
    draft = make_entry(slug="new-draft", status=Entry.Status.DRAFT)
    response = author.post(url(draft), change_form_data(draft, answer="A better draft."))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.answer, draft.status) == ("A better draft.", Entry.Status.DRAFT)


def test_the_form_offers_a_revision_and_asking_for_review_instead_of_save(
    review_on, author, rate_limit
):
    page = parse(author.get(url(rate_limit)).content)
    names = {(i.attrs.get("name"), i.attrs.get("value")) for i in page.find_all("input")}
    buttons = {(b.attrs.get("name"), b.attrs.get("value")) for b in page.find_all("button")}
    assert ("_save_revision", "Save as a draft revision") in names
    assert ("_save_revision", "ask") in buttons
    assert not {name for name, _ in names} & {"_save", "_continue", "_addanother"}
    assert page.find_all("a", cls="deletelink") == []


def test_a_reviewer_still_saves_straight_and_is_offered_save(review_on, reviewer, rate_limit):
    page = parse(reviewer.get(url(rate_limit)).content)
    assert "_save" in {i.attrs.get("name") for i in page.find_all("input")}
    response = reviewer.post(url(rate_limit), change_form_data(rate_limit, answer=NEW_ANSWER))
    assert response.status_code == 302
    rate_limit.refresh_from_db()
    assert rate_limit.answer == NEW_ANSWER


@pytest.mark.parametrize("action", ["publish", "unpublish", "delete_selected"])
def test_without_the_publish_permission_the_list_actions_change_nothing(
    review_on, author, rate_limit, action
):
    draft = make_entry(slug="new-draft", status=Entry.Status.DRAFT)
    listed = parse(author.get("/admin/kb/entry/").content)
    offered = {option.attrs.get("value") for option in listed.find_all("option")}
    assert "publish" not in offered and "unpublish" not in offered
    before = stored()
    selected = [draft.pk] if action == "publish" else [rate_limit.pk, draft.pk]
    author.post("/admin/kb/entry/", {"action": action, "_selected_action": selected, "post": "yes"})
    assert stored() == before


def test_without_the_publish_permission_a_draft_can_still_be_deleted(review_on, author, faq):
    draft = make_entry(slug="new-draft", status=Entry.Status.DRAFT)
    response = author.post(url(draft, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not Entry.objects.filter(pk=draft.pk).exists()


def test_without_the_publish_permission_a_published_entry_is_not_deleted(
    review_on, author, rate_limit
):
    before = stored()
    assert author.post(url(rate_limit, "delete"), {"post": "yes"}).status_code == 403
    assert stored() == before


def test_without_the_publish_permission_reverting_a_published_entry_is_refused(
    review_on, author, staff_client, rate_limit
):
    staff_client.post(url(rate_limit), change_form_data(rate_limit, answer=NEW_ANSWER))
    old = rate_limit.history.order_by("history_id").first().history_id
    before = stored()
    revert = f"/admin/kb/entry/{rate_limit.pk}/history/{old}/"
    assert 'name="_save"' not in author.get(revert).content.decode()  # no Revert button
    response = author.post(revert, {**change_form_data(rate_limit), "_save": "Revert"})
    assert response.status_code == 200
    assert stored() == before


def test_without_the_publish_permission_a_proposed_symptom_is_not_accepted(
    review_on, author, rate_limit
):
    for _ in range(2):
        make_search(
            "throttled by procore", results=5, opened=True, opened_entry=rate_limit, opened_rank=3
        )
    panel = parse(author.get(url(rate_limit)).content).find("section", id="symptom-proposals")
    assert "throttled by procore" in panel.text
    assert panel.find_all("button") == []
    before = stored()
    decision = {"query": "throttled by procore", "decision": "accept"}
    response = author.post(f"/admin/kb/entry/{rate_limit.pk}/symptoms/", decision)
    assert response.status_code == 403
    assert stored() == before


# --- Asking, approving, sending back --------------------------------------------------------


def test_asking_for_review_keeps_the_published_answer_and_queues_the_revision(
    review_on, author, author_user, rate_limit
):
    before = Entry.objects.filter(pk=rate_limit.pk).values().get()
    response = save_revision(
        author, rate_limit, ask=True, note="New header name", answer=NEW_ANSWER
    )
    assert response.status_code == 302
    assert Entry.objects.filter(pk=rate_limit.pk).values().get() == before
    revision = EntryRevision.objects.get(entry=rate_limit)
    assert (revision.state, revision.asked_by, revision.ask_note, revision.answer) == (
        EntryRevision.State.WAITING,
        author_user,
        "New header name",
        NEW_ANSWER,
    )
    assert revision.asked_at is not None
    assert "then retry" not in Client().get("/faq/rate-limit-429/").content.decode()
    panel = parse(author.get(url(rate_limit)).content).find("section", id="revision-pending")
    assert "Waiting for review since" in panel.text and "New header name" in panel.text
    # The author may not approve: no button for it, and the server refuses.
    assert "Approve and publish" not in panel.text and "Send back" not in panel.text


def test_without_the_change_permission_asking_for_review_changes_nothing(review_on, rate_limit):
    viewer = client_for(make_staff("viewer", "view_entry"))
    before = stored()
    response = save_revision(viewer, rate_limit, ask=True, answer=NEW_ANSWER)
    assert response.status_code == 403
    assert stored() == before


def test_without_the_publish_permission_approving_and_sending_back_change_nothing(
    review_on, author, rate_limit
):
    save_revision(author, rate_limit, ask=True, answer=NEW_ANSWER)
    before = stored()
    assert approve(author, rate_limit).status_code == 403
    assert send_back(author, rate_limit, "Looks wrong").status_code == 403
    assert stored() == before


def test_a_reviewer_approves_and_the_revision_is_published_with_history(
    review_on,
    author,
    author_user,
    reviewer,
    reviewer_user,
    rate_limit,
    django_capture_on_commit_callbacks,
):
    save_revision(author, rate_limit, ask=True, answer=NEW_ANSWER)
    panel = parse(reviewer.get(url(rate_limit)).content).find("section", id="revision-pending")
    assert "Approve and publish" in {i.attrs.get("value") for i in panel.find_all("input")}
    with django_capture_on_commit_callbacks(execute=True):
        response = approve(reviewer, rate_limit, follow=True)
    assert "approved and published" in parse(response.content).text
    rate_limit.refresh_from_db()
    assert rate_limit.answer == NEW_ANSWER
    assert not EntryRevision.objects.filter(entry=rate_limit).exists()
    latest = rate_limit.history.first()
    assert latest.history_user == reviewer_user
    assert latest.history_change_reason.startswith("Approved the draft revision by alice")
    assert "<strong>once</strong>" in Client().get("/faq/rate-limit-429/").content.decode()


def test_a_reviewer_sends_back_with_a_comment_the_author_reads_then_asks_again(
    review_on, author, reviewer, reviewer_user, rate_limit
):
    save_revision(author, rate_limit, ask=True, answer=NEW_ANSWER)
    entry_before = Entry.objects.filter(pk=rate_limit.pk).values().get()
    response = send_back(reviewer, rate_limit, "Say how long to wait.", follow=True)
    assert "sent back to alice" in parse(response.content).text
    revision = EntryRevision.objects.get(entry=rate_limit)
    assert (revision.state, revision.reviewed_by, revision.review_comment) == (
        EntryRevision.State.SENT_BACK,
        reviewer_user,
        "Say how long to wait.",
    )
    assert Entry.objects.filter(pk=rate_limit.pk).values().get() == entry_before
    logged = LogEntry.objects.filter(object_id=str(rate_limit.pk)).first()
    assert logged.change_message == "Sent the draft revision back: Say how long to wait."

    listed = parse(author.get("/admin/kb/entry/", {"revision": "sent_back"}).content)
    marks = [span.text for span in listed.find_all("span", cls="status-revision")]
    assert marks == ["revision sent back"]
    sent_back = parse(author.get(url(rate_limit)).content).find("div", id="revision-sent-back")
    assert "Sent back by rosa" in sent_back.text and "Say how long to wait." in sent_back.text

    save_revision(author, rate_limit, ask=True, answer=NEW_ANSWER + " Wait 60 s.")
    revision.refresh_from_db()
    assert revision.state == EntryRevision.State.WAITING
    assert revision.answer.endswith("Wait 60 s.")


def test_sending_back_needs_a_comment(review_on, author, reviewer, rate_limit):
    save_revision(author, rate_limit, ask=True, answer=NEW_ANSWER)
    before = stored()
    response = send_back(reviewer, rate_limit, "   ", follow=True)
    assert "say what the author should change" in parse(response.content).text
    assert stored() == before


def test_a_revision_that_is_not_waiting_is_not_sent_back(review_on, author, reviewer, rate_limit):
    save_revision(author, rate_limit, answer=NEW_ANSWER)
    before = stored()
    response = send_back(reviewer, rate_limit, "Not yet", follow=True)
    assert "not waiting for review" in parse(response.content).text
    assert stored() == before


def test_a_revision_changed_since_the_reviewer_opened_it_is_not_approved_nor_sent_back(
    review_on, author, reviewer, rate_limit
):
    save_revision(author, rate_limit, ask=True, answer=NEW_ANSWER)
    opened = revision_version(rate_limit)
    save_revision(author, rate_limit, answer="A different answer, saved since.")
    before = stored()
    refused = approve(reviewer, rate_limit, version=opened, follow=True)
    assert "the revision changed since you opened this page" in parse(refused.content).text
    send_back(reviewer, rate_limit, "Hmm", version=opened)
    assert approve(reviewer, rate_limit, version="").status_code == 302
    assert stored() == before


def test_a_revision_drafted_before_the_entry_changed_is_not_approved(
    review_on, author, reviewer, rate_limit
):
    save_revision(author, rate_limit, ask=True, answer=NEW_ANSWER)
    reviewer.post(url(rate_limit), change_form_data(rate_limit, order=5))
    before = stored()
    response = approve(reviewer, rate_limit, follow=True)
    assert "Not published: the entry changed" in parse(response.content).text
    assert stored() == before


@pytest.mark.parametrize("entry_id", ["abc", "1%20OR%201", "99999999999999999999999", "999999"])
@pytest.mark.parametrize("action", ["publish", "send-back"])
def test_forged_ids_are_not_found(review_on, reviewer, faq, entry_id, action):
    response = reviewer.post(f"/admin/kb/entry/{entry_id}/revision/{action}/", {"comment": "x"})
    assert response.status_code == 404


def test_the_review_actions_need_the_csrf_token(review_on, author, reviewer_user, rate_limit):
    save_revision(author, rate_limit, ask=True, answer=NEW_ANSWER)
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(reviewer_user)
    before = stored()
    assert approve(forged, rate_limit).status_code == 403
    assert send_back(forged, rate_limit, "From another site").status_code == 403
    assert stored() == before


def test_the_review_actions_take_only_posts(review_on, reviewer, rate_limit):
    assert reviewer.get(url(rate_limit, "send-back")).status_code == 405
    assert reviewer.get(url(rate_limit, "publish")).status_code == 405


# --- The queue and the digest ---------------------------------------------------------------


def test_reviewers_see_the_queue_on_the_admin_home_oldest_first(
    review_on, author, reviewer, rate_limit
):
    other = Entry.objects.published().exclude(pk=rate_limit.pk).first()
    save_revision(author, rate_limit, ask=True, note="First asked", answer=NEW_ANSWER)
    save_revision(author, other, ask=True, answer="Another answer.")
    home = parse(reviewer.get("/admin/").content)
    queue = home.find("div", id="review-queue")
    rows = queue.find_all("th", cls=None)
    questions = [row.find("a").text for row in rows if row.attrs.get("scope") == "row"]
    assert questions == [rate_limit.question, other.question]
    assert f"/admin/kb/entry/{rate_limit.pk}/change/#revision-pending" in queue.markup
    assert "alice" in queue.text and "First asked" in queue.text
    links = home.find("div", id="work-links")
    assert "Review queue" in links.text
    assert "?revision=waiting" in links.markup

    listed = parse(reviewer.get("/admin/kb/entry/", {"revision": "waiting"}).content)
    assert {th.text for th in listed.find_all("th", cls="field-question")} == {
        rate_limit.question,
        other.question,
    }
    marks = {span.text for span in listed.find_all("span", cls="status-revision")}
    assert marks == {"revision waiting for review"}


def test_engineers_who_may_not_publish_see_only_their_own_revisions_in_review(
    review_on, author, rate_limit
):
    colleague = client_for(make_staff("bob", "view_entry", "change_entry"))
    save_revision(colleague, rate_limit, ask=True, answer=NEW_ANSWER)
    queue = parse(author.get("/admin/").content).find("div", id="review-queue")
    assert rate_limit.question not in queue.text
    assert "None of your revisions" in queue.text
    own = parse(colleague.get("/admin/").content).find("div", id="review-queue")
    assert rate_limit.question in own.text and "Waiting for review" in own.text


def test_without_review_and_nothing_waiting_the_home_has_no_queue(staff_client, faq):
    home = parse(staff_client.get("/admin/").content)
    assert home.find_all("div", id="review-queue") == []
    assert "Review queue" not in home.find("div", id="work-links").text


def test_the_digest_tells_reviewers_what_waits_even_with_nothing_due(
    review_on, author, reviewer_user, rate_limit, settings
):
    settings.KB_SITE_URL = "https://kb.example.com"
    Entry.objects.update(owner=None)  # nothing is anybody's to verify: only the queue is sent
    save_revision(author, rate_limit, ask=True, note="New header name", answer=NEW_ANSWER)
    out = StringIO()
    call_command("send_review_digest", stdout=out)
    to_rosa = [message for message in mail.outbox if message.to == ["rosa@example.com"]]
    assert len(to_rosa) == 1
    message = to_rosa[0]
    assert message.subject == "1 knowledge-base revision waiting for review"
    assert rate_limit.question in message.body
    assert "By alice" in message.body and "New header name" in message.body
    assert f"https://kb.example.com/admin/kb/entry/{rate_limit.pk}/change/" in message.body
    assert "a@example.com" not in {address for m in mail.outbox for address in m.to}


def test_the_digest_of_a_reviewer_who_owns_due_entries_lists_both(
    review_on, author, reviewer_user, rate_limit, settings
):
    settings.KB_REVIEW_INTERVAL_DAYS = 1
    Entry.objects.update(owner=None)
    Entry.objects.filter(pk=rate_limit.pk).update(owner=reviewer_user)
    Entry.objects.filter(pk=rate_limit.pk).flag_for_review("A reader said it did not help")
    save_revision(author, rate_limit, ask=True, answer=NEW_ANSWER)
    out = StringIO()
    call_command("send_review_digest", dry_run=True, stdout=out)
    assert "rosa@example.com: 1 entry, 1 revision waiting for review" in out.getvalue()
    assert mail.outbox == []
    call_command("send_review_digest", stdout=StringIO())
    (message,) = [m for m in mail.outbox if m.to == ["rosa@example.com"]]
    assert message.subject == (
        "1 knowledge-base answer due for review; 1 revision waiting for your approval"
    )
    assert "Mark as verified" in message.body and "Approve and publish" in message.body


def test_nothing_waiting_sends_reviewers_nothing(review_on, reviewer_user, faq):
    Entry.objects.update(owner=None)
    call_command("send_review_digest", stdout=StringIO())
    assert [m for m in mail.outbox if m.to == ["rosa@example.com"]] == []


def test_the_dry_run_names_what_a_reviewer_would_get(review_on, author, reviewer_user, rate_limit):
    Entry.objects.update(owner=None)
    save_revision(author, rate_limit, ask=True, answer=NEW_ANSWER)
    out = StringIO()
    call_command("send_review_digest", dry_run=True, stdout=out)
    assert "rosa@example.com: 1 revision waiting for review" in out.getvalue().splitlines()
    assert mail.outbox == []
