import re

import pytest
from playwright.sync_api import expect

from kb import search
from kb.models import SearchRecord

pytestmark = pytest.mark.browser


@pytest.fixture
def live_index(live_faq):
    search.rebuild()
    return live_faq


def test_typing_in_the_search_box_shows_results_without_a_page_load(page, live_index):
    page.goto(live_index + "/faq/what-is-json/")
    page.evaluate("window.notReloaded = true")
    box = page.get_by_role("searchbox", name="Search the knowledge base")
    box.press_sequentially("invalid", delay=20)
    expect(page.locator(".result-link").first).to_be_visible()
    box.press_sequentially("_grant", delay=20)
    first = page.locator(".result-link").first
    expect(first).to_have_text(
        "My refresh token is not working, or it says it is invalid. Why is that?"
    )
    expect(page).to_have_url(live_index + "/search/?q=invalid_grant")
    expect(page).to_have_title("invalid_grant · Search · Procore API knowledge base")
    assert page.evaluate("window.notReloaded") is True
    first.click()
    # The link names its search by a signed reference: the record, the place, a signature.
    expect(page).to_have_url(re.compile(r"/faq/refresh-token-invalid/\?sq=\d+\.1%3A[\w-]+$"))

    # Insights keep what was finally searched for, not each pause in the typing.
    record = SearchRecord.objects.get()
    assert (record.query, record.opened) == ("invalid_grant", True)


def test_the_search_form_works_without_javascript(make_page, live_index):
    page = make_page(java_script_enabled=False)
    page.goto(live_index + "/")
    page.get_by_role("searchbox", name="Search the knowledge base").fill("429")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(live_index + "/search/?q=429")
    expect(page.locator(".result-link").first).to_contain_text("429 status code")


def test_a_live_search_then_enter_then_a_reload_is_one_search(page, live_index):
    page.goto(live_index + "/")
    box = page.get_by_role("searchbox", name="Search the knowledge base")
    box.press_sequentially("rate limit", delay=60)
    expect(page.locator(".result-link").first).to_contain_text("429 status code")
    box.press("Enter")
    expect(page).to_have_url(live_index + "/search/?q=rate%20limit")
    page.reload()
    expect(page.locator(".result-link").first).to_contain_text("429 status code")
    assert list(SearchRecord.objects.values_list("query", flat=True)) == ["rate limit"]


def test_a_search_with_no_answer_says_so_and_offers_the_support_form(page, live_index):
    page.goto(live_index + "/")
    box = page.get_by_role("searchbox", name="Search the knowledge base")
    box.fill("webhook payload signature verification")
    expect(page.locator(".result-link").first).to_be_visible()  # the live search is in
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "No answer about webhook payload signature verification yet"
    )
    expect(page.get_by_role("heading", name="Loosely related entries")).to_be_visible()
    page.get_by_role("link", name="Ask API support").click()
    expect(page.get_by_label("What are you trying to do, and what happens instead?")).to_have_value(
        "webhook payload signature verification"
    )
    assert list(SearchRecord.objects.values_list("answered", flat=True)) == [False]
