"""The admin screens support engineers use, at the widths they use them."""

import pytest
from playwright.sync_api import expect

from kb.models import Entry
from tests.factories import save_in_admin

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in(make_page, live_faq, django_user_model):
    django_user_model.objects.create_user(
        username="engineer", password="a-long-test-password", is_staff=True, is_superuser=True
    )

    def sign_in(width: int):
        page = make_page(viewport={"width": width, "height": 900})
        page.goto(live_faq + "/admin/login/?next=/admin/")
        page.get_by_label("Username").fill("engineer")
        page.get_by_label("Password").fill("a-long-test-password")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Content and support tools")).to_be_visible()
        return page

    return sign_in


@pytest.mark.parametrize("width", [1280, 1440])
def test_every_column_of_the_entry_list_is_on_screen(signed_in, live_faq, width):
    page = signed_in(width)
    page.goto(live_faq + "/admin/kb/entry/")
    results = page.locator(".results")
    assert results.evaluate("r => r.scrollWidth <= r.clientWidth")
    right = results.bounding_box()["x"] + results.bounding_box()["width"]
    for name in ("Question", "Category", "Updated", "Helpful", "Not helpful", "Review due"):
        header = page.locator("#result_list thead th", has_text=name).last.bounding_box()
        assert header["x"] + header["width"] <= right + 1, name
    assert page.locator("td.field-updated_on").first.inner_text().count("-") == 2


def test_the_change_form_tools_sit_under_the_heading_and_the_question_box_is_wide(
    signed_in, live_faq
):
    entry = Entry.objects.get(slug="rate-limit-429")
    page = signed_in(1280)
    page.goto(f"{live_faq}/admin/kb/entry/{entry.pk}/change/")
    heading = page.locator("#content h2").first.bounding_box()
    for name in ("History", "Compare revisions", "View on site"):
        tool = page.locator(".object-tools").get_by_role("link", name=name).bounding_box()
        assert tool["y"] >= heading["y"] + heading["height"], name
    assert page.get_by_label("Question:").bounding_box()["width"] >= 600


def test_compare_revisions_fits_the_window_and_shows_words(signed_in, live_faq, client):
    entry = Entry.objects.get(slug="refresh-token-invalid")
    client.force_login(Entry._meta.apps.get_model("auth", "User").objects.get())
    save_in_admin(client, entry, answer=entry.answer + "\n\nOne more line " + "word " * 60)
    page = signed_in(1280)
    page.goto(f"{live_faq}/admin/kb/entry/{entry.pk}/history/compare/")
    expect(page.locator("td.word-diff ins")).to_contain_text("One more line")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.get_by_role("link", name="t", exact=True).count() == 0
    assert page.get_by_role("link", name="n", exact=True).count() == 0
