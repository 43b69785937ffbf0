"""Unpublishing is deliberate: a published entry goes off the site only after a confirmation
that says what disappears with it (kb/editorial/unpublishing.py)."""

import pytest
from django.test import Client

from kb.models import Entry, ErrorCode
from tests.factories import change_form_data, days_ago, make_entry, make_search, make_staff
from tests.html import parse


@pytest.fixture
def rate_limit(faq) -> Entry:
    return Entry.objects.get(slug="rate-limit-429")


def stored(entry: Entry) -> dict:
    return Entry.objects.filter(pk=entry.pk).values().get()


def form_inputs(form) -> list[tuple[str, str]]:
    return [
        (i.attrs["name"], i.attrs.get("value", ""))
        for i in form.find_all("input")
        if i.attrs.get("name")
    ]


def impact_text(response) -> str:
    return parse(response.content).find("div", cls="unpublish-impact").text


def test_setting_a_published_entry_to_draft_asks_first_and_says_what_disappears(
    staff_client, rate_limit
):
    make_search("429", opened_entry=rate_limit)
    make_search("rate limit", opened_entry=rate_limit)
    make_search("too many requests", opened_entry=rate_limit, created=days_ago(8))
    linking = make_entry(
        slug="linking", question="Why throttled?", answer="See [429](/faq/rate-limit-429/)."
    )
    make_entry(slug="longer", question="Longer slug?", answer="[x](/faq/rate-limit-429-old/)")
    code = ErrorCode.objects.get(code=429)
    code.entries.add(rate_limit)
    before = stored(rate_limit)

    response = staff_client.post(
        f"/admin/kb/entry/{rate_limit.pk}/change/",
        change_form_data(rate_limit, status="draft", answer="Changed too."),
    )

    assert response.status_code == 200
    text = impact_text(response)
    assert "/faq/rate-limit-429/" in text
    assert "Searches that opened it in the last 7 days: 2" in text
    assert "429 Too Many Requests" in text
    assert linking.question in text
    assert "Longer slug?" not in text
    assert stored(rate_limit) == before
    assert Client().get("/faq/rate-limit-429/").status_code == 200


def test_the_confirmation_unpublishes_with_the_form_as_it_was_sent(staff_client, rate_limit):
    url = f"/admin/kb/entry/{rate_limit.pk}/change/"
    asked = staff_client.post(url, change_form_data(rate_limit, status="draft", order=9))
    yes = parse(asked.content).find("form", cls="confirm-unpublish")
    response = staff_client.post(url, dict(form_inputs(yes)))
    assert response.status_code == 302
    rate_limit.refresh_from_db()
    assert (rate_limit.status, rate_limit.order) == (Entry.Status.DRAFT, 9)
    assert Client().get("/faq/rate-limit-429/").status_code == 404


def test_keeping_it_published_still_saves_the_other_changes(staff_client, rate_limit):
    url = f"/admin/kb/entry/{rate_limit.pk}/change/"
    asked = staff_client.post(url, change_form_data(rate_limit, status="draft", order=9))
    keep = parse(asked.content).find("form", cls="keep-published")
    response = staff_client.post(url, dict(form_inputs(keep)))
    assert response.status_code == 302
    rate_limit.refresh_from_db()
    assert (rate_limit.status, rate_limit.order) == (Entry.Status.PUBLISHED, 9)


def test_a_draft_saved_as_a_draft_is_not_asked_about(staff_client, rate_limit):
    rate_limit.status = Entry.Status.DRAFT
    rate_limit.save()
    response = staff_client.post(
        f"/admin/kb/entry/{rate_limit.pk}/change/", change_form_data(rate_limit, order=3)
    )
    assert response.status_code == 302


def test_the_unpublish_action_asks_first_then_unpublishes(staff_client, rate_limit):
    other = Entry.objects.get(slug="what-is-json")
    asked = staff_client.post(
        "/admin/kb/entry/", {"action": "unpublish", "_selected_action": [rate_limit.pk, other.pk]}
    )
    assert asked.status_code == 200
    text = impact_text(asked)
    assert rate_limit.question in text and other.question in text
    assert Entry.objects.filter(pk__in=[rate_limit.pk, other.pk], status="published").count() == 2

    yes = parse(asked.content).find("form", cls="confirm-unpublish")
    staff_client.post("/admin/kb/entry/", form_inputs_as_post(yes))
    assert Entry.objects.filter(pk__in=[rate_limit.pk, other.pk], status="draft").count() == 2


def form_inputs_as_post(form) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in form_inputs(form):
        data.setdefault(name, []).append(value)
    return data


def test_deleting_a_published_entry_says_what_disappears_first(staff_client, rate_limit):
    make_search("429", opened_entry=rate_limit)
    page = staff_client.get(f"/admin/kb/entry/{rate_limit.pk}/delete/")
    assert "Searches that opened it in the last 7 days: 1" in impact_text(page)
    bulk = staff_client.post(
        "/admin/kb/entry/", {"action": "delete_selected", "_selected_action": [rate_limit.pk]}
    )
    assert "/faq/rate-limit-429/" in impact_text(bulk)
    assert Entry.objects.filter(pk=rate_limit.pk).exists()


def test_without_the_change_permission_a_confirmed_unpublish_changes_nothing(rate_limit):
    client = Client()
    client.force_login(make_staff("viewer", "view_entry", "delete_entry"))
    before = stored(rate_limit)
    form = client.post(
        f"/admin/kb/entry/{rate_limit.pk}/change/",
        {**change_form_data(rate_limit, status="draft"), "_confirm_unpublish": "yes"},
    )
    assert form.status_code in (200, 403)
    action = client.post(
        "/admin/kb/entry/",
        {"action": "unpublish", "_selected_action": [rate_limit.pk], "post": "yes"},
    )
    assert action.status_code in (200, 302)
    assert stored(rate_limit) == before


def test_without_the_change_permission_no_confirmation_is_offered(rate_limit):
    client = Client()
    client.force_login(make_staff("viewer", "view_entry"))
    response = client.post(
        f"/admin/kb/entry/{rate_limit.pk}/change/", change_form_data(rate_limit, status="draft")
    )
    assert b"unpublish-impact" not in response.content
    assert stored(rate_limit)["status"] == "published"
