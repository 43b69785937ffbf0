import pytest
from django.test import Client

from kb.models import Category, Entry
from tests.factories import save_in_admin
from tests.html import find_all, parse


def test_anonymous_users_are_sent_to_sign_in(client, faq):
    response = client.get("/admin/kb/entry/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_engineer_signs_in_with_a_password(client, faq, staff_user):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "engineer", "password": "a-long-test-password", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/kb/entry/").status_code == 200


def test_the_entry_list_shows_the_columns_engineers_scan(staff_client, faq):
    Entry.objects.filter(slug="what-is-json").update(status=Entry.Status.DRAFT)
    html = staff_client.get("/admin/kb/entry/").content.decode()
    headings = [th.text for th in find_all(html, "thead")[0:1] for th in find_all(html, "th")]
    for column in ("Question", "Category", "Updated", "Helpful", "Not helpful"):
        assert column in headings
    # The status is marked on drafts, in the question column: published is the rule.
    rows = {row.text.split(" Draft")[0]: row.text for row in find_all(html, "tr")[1:]}
    draft = Entry.objects.get(slug="what-is-json").question
    assert any(text.startswith(draft) and "Draft" in text for text in rows.values())
    assert sum("Draft" in text for text in rows.values()) == 1
    assert "By status" in html and "By category" in html


def test_admin_search_looks_in_symptoms(staff_client, faq):
    html = staff_client.get("/admin/kb/entry/", {"q": "invalid_grant"}).content.decode()
    assert "My refresh token is not working" in html
    assert "How long does my access token last?" not in html


def test_an_engineer_edits_an_answer_and_the_page_shows_it(staff_client, faq):
    entry = Entry.objects.get(slug="rate-limit-429")
    form = parse(staff_client.get(f"/admin/kb/entry/{entry.pk}/change/").content)
    assert form.find("input", id="id_slug").attrs["value"] == "rate-limit-429"
    save_in_admin(
        staff_client,
        entry,
        answer="You have exceeded the limit. **Back off** until `X-Rate-Limit-Reset`.",
    )
    html = Client().get("/faq/rate-limit-429/").content.decode()
    assert "<strong>Back off</strong>" in html
    assert "<code>X-Rate-Limit-Reset</code>" in html


def test_an_engineer_unpublishes_with_an_action(staff_client, faq):
    entry = Entry.objects.get(slug="what-is-json")
    # Unpublishing asks first (tests/test_unpublishing.py): this is the confirmed post.
    staff_client.post(
        "/admin/kb/entry/",
        {"action": "unpublish", "_selected_action": [entry.pk], "post": "yes"},
    )
    entry.refresh_from_db()
    assert entry.status == Entry.Status.DRAFT
    assert Client().get("/faq/what-is-json/").status_code == 404


def test_the_category_admin_counts_entries(staff_client, faq):
    html = staff_client.get("/admin/kb/category/").content.decode()
    assert "OAuth 2.0 Authentication" in html
    assert "Entries" in html


def test_an_engineer_adds_synonyms_that_search_uses_at_once(staff_client, indexed_faq):
    response = staff_client.post(
        "/admin/kb/synonym/add/", {"terms": "hook, webhooks", "note": "short for webhook"}
    )
    assert response.status_code == 302
    data = Client().get("/api/search", {"q": "hook"}).json()
    assert data["results"][0]["slug"] == "webhooks-change-notifications"


@pytest.mark.parametrize(
    ("url", "model"),
    [("/admin/kb/entry/add/", Entry), ("/admin/kb/category/add/", Category)],
)
def test_help_text_reads_as_written(staff_client, faq, url, model):
    """The admin shows help text as HTML: an address like /faq/<slug>/ must not lose words."""
    html = staff_client.get(url).content.decode()
    shown = {
        element.attrs["id"].removesuffix("_helptext").removeprefix("id_"): element.text
        for element in find_all(html, "div", "help")
        if element.attrs.get("id", "").endswith("_helptext")
    }
    for field in model._meta.get_fields():
        if getattr(field, "help_text", "") and field.name in shown:
            assert shown[field.name] == " ".join(str(field.help_text).split()), field.name
    assert shown["slug"].startswith(
        "Part of the permalink: /faq/the-slug/" if model is Entry else "Part of the category"
    )
