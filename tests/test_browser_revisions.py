"""The whole path of a draft revision in a browser: revise the 429 answer, the public page and
search still give the old one, publish it, and the new one is live and found by search."""

import time

import pytest
from playwright.sync_api import expect

from kb.models import Entry
from tests.factories import sign_in

pytestmark = pytest.mark.browser

MARKER = "zqxrevisedmarker"


def found_by_search(page, base_url: str, query: str) -> bool:
    page.goto(f"{base_url}/search/?q={query}")
    return page.locator("a[href^='/faq/rate-limit-429/']").count() > 0


def test_a_revision_waits_beside_the_live_answer_then_goes_live(page, make_page, engineer):
    from kb import search

    search.rebuild()
    entry = Entry.objects.get(slug="rate-limit-429")
    sign_in(page, engineer)
    page.goto(f"{engineer}/admin/kb/entry/{entry.pk}/change/")
    page.get_by_role("textbox", name="Answer").fill(f"Back off, then retry once. {MARKER}")
    page.get_by_role("button", name="Save as a draft revision").click()
    expect(page.locator(".messagelist")).to_contain_text("The published answer stays live")
    panel = page.locator("#revision-pending")
    expect(panel).to_contain_text("A draft revision is pending")
    expect(panel.locator("ins").first).to_be_visible()

    reader = make_page()
    reader.goto(f"{engineer}/faq/rate-limit-429/")
    expect(reader.locator("main")).not_to_contain_text(MARKER)
    assert not found_by_search(reader, engineer, MARKER)

    panel.get_by_role("button", name="Publish the revision").click()
    expect(page.locator(".messagelist")).to_contain_text("Draft revision of")
    expect(page.locator(".messagelist")).to_contain_text("published.")
    published = time.monotonic()
    reader = make_page()  # a new reader: the first one's browser keeps the pages it saw a while
    reader.goto(f"{engineer}/faq/rate-limit-429/")
    expect(reader.locator("main")).to_contain_text(MARKER)
    while not found_by_search(reader, engineer, MARKER):
        assert time.monotonic() - published < 1.0, "search did not find the revision in 1 s"
        time.sleep(0.1)
