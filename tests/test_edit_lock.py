"""No lost edits: a save from a form opened at an older version is refused, shows the change
saved since, and overwrites nothing (kb/content/locking.py, kb/editorial/editing.py)."""

import pytest
from django.db import transaction
from django.test import Client

from kb.content.locking import StaleEdit
from kb.models import Entry, ErrorCode
from kb.review import verification
from tests.factories import change_form_data, make_error_code, make_staff
from tests.html import parse


def opened_version(client, url: str) -> int:
    """The version a change form carries, as the browser got it."""
    form = parse(client.get(url).content)
    return int(form.find("input", id="id_version").attrs["value"])


def engineer(username: str) -> Client:
    client = Client()
    user = make_staff(username)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def rate_limit(faq) -> Entry:
    return Entry.objects.get(slug="rate-limit-429")


def test_it_refuses_the_second_of_two_saves_from_the_same_version(rate_limit):
    first, second = Entry.objects.get(pk=rate_limit.pk), Entry.objects.get(pk=rate_limit.pk)
    first.answer = "The first engineer's answer."
    first.save()
    second.answer = "The second engineer's answer."
    with pytest.raises(StaleEdit), transaction.atomic():
        second.save()
    rate_limit.refresh_from_db()
    assert rate_limit.answer == "The first engineer's answer."
    assert rate_limit.version == first.version == second.version + 1


def test_a_verification_neither_takes_a_version_nor_is_refused(rate_limit, staff_user):
    stale = Entry.objects.get(pk=rate_limit.pk)
    Entry.objects.filter(pk=rate_limit.pk).update(version=rate_limit.version + 5)
    verification.verify([stale], staff_user)
    rate_limit.refresh_from_db()
    assert rate_limit.last_verified is not None
    assert rate_limit.version == stale.version + 5


def test_two_engineers_saving_the_same_entry_lose_nothing(rate_limit):
    alice, bob = engineer("alice"), engineer("bob")
    url = f"/admin/kb/entry/{rate_limit.pk}/change/"
    alice_version, bob_version = opened_version(alice, url), opened_version(bob, url)
    assert alice_version == bob_version == rate_limit.version
    revisions = rate_limit.history.count()

    # Words the live answer does not have, so the diff shown to Bob marks them as added.
    saved = alice.post(url, {**change_form_data(rate_limit, answer="Quotas zqx refill")})
    assert saved.status_code == 302
    refused = bob.post(
        url,
        {**change_form_data(rate_limit, answer="Bob's answer."), "version": bob_version},
    )

    assert refused.status_code == 200
    page = parse(refused.content)
    message = page.find("ul", cls="errorlist").text
    assert "changed since you opened it" in message
    assert "by alice" in message
    added = [ins.text for ins in page.find("ul", cls="stale-edit").find_all("ins")]
    assert " ".join(added) == "Quotas zqx refill"
    # Bob's edit is still in the form, which now carries the version he has seen.
    assert "Bob's answer." in page.find("textarea", id="id_answer").text
    assert int(page.find("input", id="id_version").attrs["value"]) == bob_version + 1
    rate_limit.refresh_from_db()
    assert rate_limit.answer == "Quotas zqx refill"
    assert rate_limit.history.count() == revisions + 1


def test_saving_again_after_seeing_the_other_change_is_a_decision_that_saves(rate_limit):
    url = f"/admin/kb/entry/{rate_limit.pk}/change/"
    alice, bob = engineer("alice"), engineer("bob")
    opened = opened_version(bob, url)
    alice.post(url, change_form_data(rate_limit, question="Why 429?"))
    refused = bob.post(url, {**change_form_data(rate_limit, order=7), "version": opened})
    version = int(parse(refused.content).find("input", id="id_version").attrs["value"])
    again = bob.post(
        url, {**change_form_data(rate_limit, question="Why 429?", order=7), "version": version}
    )
    assert again.status_code == 302
    rate_limit.refresh_from_db()
    assert (rate_limit.question, rate_limit.order) == ("Why 429?", 7)


def test_publishing_from_the_list_refuses_a_form_opened_before(staff_client, rate_limit):
    rate_limit.status = Entry.Status.DRAFT
    rate_limit.save()
    url = f"/admin/kb/entry/{rate_limit.pk}/change/"
    opened = opened_version(staff_client, url)
    staff_client.post(
        "/admin/kb/entry/", {"action": "publish", "_selected_action": [rate_limit.pk]}
    )
    response = staff_client.post(
        url,
        {
            **change_form_data(rate_limit, status="draft", answer="Stale."),
            "version": opened,
            "_confirm_unpublish": "yes",
        },
    )
    assert response.status_code == 200
    assert "Status" in parse(response.content).find("ul", cls="stale-edit").text
    rate_limit.refresh_from_db()
    assert rate_limit.status == Entry.Status.PUBLISHED
    assert rate_limit.answer != "Stale."


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
def test_a_form_without_its_version_is_refused_with_a_form_error(staff_client, rate_limit, version):
    data = change_form_data(rate_limit, answer="Whose version?")
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = staff_client.post(f"/admin/kb/entry/{rate_limit.pk}/change/", data)
    assert response.status_code == 200
    assert "does not say which version it was opened at" in response.content.decode()
    rate_limit.refresh_from_db()
    assert rate_limit.answer != "Whose version?"


def error_code_form(code: ErrorCode, version: int, **changes) -> dict:
    data = {
        "code": code.code,
        "name": code.name,
        "meaning": code.meaning,
        "causes": code.causes,
        "fixes": code.fixes,
        "retry": code.retry,
        "retry_guidance": code.retry_guidance,
        "version": version,
        "messages-TOTAL_FORMS": 0,
        "messages-INITIAL_FORMS": 0,
    }
    return {**data, **changes}


def test_two_engineers_saving_the_same_error_code_lose_nothing(empty_db):
    code = make_error_code()
    url = f"/admin/kb/errorcode/{code.pk}/change/"
    alice, bob = engineer("alice"), engineer("bob")
    opened = opened_version(bob, url)
    assert opened_version(alice, url) == opened
    assert alice.post(url, error_code_form(code, opened, name="Teapot")).status_code == 302
    refused = bob.post(url, error_code_form(code, opened, meaning="Bob's meaning."))
    assert refused.status_code == 200
    assert "Teapot" in parse(refused.content).find("ul", cls="stale-edit").text
    code.refresh_from_db()
    assert (code.name, code.meaning) == ("Teapot", "The server refuses to brew coffee.")


def test_a_stale_save_by_someone_without_the_change_permission_changes_nothing(
    django_user_model, rate_limit
):
    client = Client()
    client.force_login(make_staff("viewer", "view_entry"))
    before = Entry.objects.filter(pk=rate_limit.pk).values().get()
    response = client.post(
        f"/admin/kb/entry/{rate_limit.pk}/change/",
        {**change_form_data(rate_limit, answer="No right."), "version": rate_limit.version - 1},
    )
    assert response.status_code in (200, 403)
    assert Entry.objects.filter(pk=rate_limit.pk).values().get() == before
