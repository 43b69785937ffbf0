"""Searching from the keyboard: `/`, the arrow keys, Enter and Escape (static/js/site.js)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def search_box(page):
    return page.get_by_role("searchbox", name="Search the knowledge base")


def search_for(page, base_url, text):
    """Type into the focused box and wait until the live results for `text` are shown."""
    page.keyboard.type(text, delay=20)
    expect(page).to_have_url(re.compile(re.escape(base_url + "/search/?q=")))
    expect(page.locator("#results-title")).to_contain_text(text)


def test_slash_focuses_the_search_box_from_the_page(page, live_faq):
    page.goto(live_faq + "/faq/what-is-json/")
    expect(search_box(page)).not_to_be_focused()
    page.keyboard.press("/")
    expect(search_box(page)).to_be_focused()
    expect(search_box(page)).to_have_value("")
    expect(page.get_by_text("Press / to search")).to_be_visible()


def test_a_slash_typed_in_a_field_stays_in_that_field(page, live_faq):
    page.goto(live_faq + "/faq/what-is-json/")
    search_box(page).click()
    page.keyboard.type("HTTP/1.1", delay=20)
    expect(search_box(page)).to_have_value("HTTP/1.1")

    # Other helpers' forms (feedback, say) put text fields on pages: a `/` there is text.
    page.evaluate(
        """() => {
            const field = document.createElement("textarea");
            field.setAttribute("aria-label", "Comment");
            document.querySelector("main").prepend(field);
        }"""
    )
    comment = page.get_by_role("textbox", name="Comment")
    comment.click()
    page.keyboard.type("a/b", delay=20)
    expect(comment).to_have_value("a/b")
    expect(comment).to_be_focused()


def test_the_arrow_keys_move_through_the_results_and_enter_opens_one(page, live_index):
    page.goto(live_index + "/faq/what-is-json/")
    page.keyboard.press("/")
    search_for(page, live_index, "token")
    links = page.locator(".result-link")
    expect(links.nth(1)).to_be_visible()

    page.keyboard.press("ArrowDown")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(search_box(page)).to_be_focused()

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = links.nth(1).get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_index + second)
    assert second.startswith("/faq/")


def test_screen_readers_hear_how_many_results_arrived(page, live_index):
    page.goto(live_index + "/")
    page.keyboard.press("/")
    search_for(page, live_index, "token")
    count = page.locator(".result-link").count()
    expect(page.get_by_role("status")).to_have_text(f"{count} results for token")


def test_escape_brings_back_the_page_the_search_started_on(page, live_index):
    page.goto(live_index + "/faq/what-is-json/")
    heading = page.get_by_role("heading", level=1).inner_text()
    page.keyboard.press("/")
    search_for(page, live_index, "429")
    page.keyboard.press("ArrowDown")
    expect(page.locator(".result-link").first).to_be_focused()

    page.keyboard.press("Escape")

    expect(page).to_have_url(live_index + "/faq/what-is-json/")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator(".result-link")).to_have_count(0)
    expect(search_box(page)).to_have_value("")
    expect(search_box(page)).to_be_focused()
    expect(page).to_have_title(re.compile("^What is JavaScript Object Notation"))

    # The search is one step forward in the history, as if the reader had pressed Back.
    page.go_forward()
    expect(page).to_have_url(live_index + "/search/?q=429")
    expect(page.locator(".result-link").first).to_contain_text("429 status code")


def test_escape_on_a_search_page_clears_the_query_and_the_results(page, live_index):
    page.goto(live_index + "/search/?q=429")
    expect(page.locator(".result-link").first).to_contain_text("429 status code")
    page.keyboard.press("/")
    page.keyboard.press("Escape")
    expect(search_box(page)).to_have_value("")
    expect(search_box(page)).to_be_focused()
    expect(page.locator(".result-link")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("Search the knowledge base")
    expect(page).to_have_url(live_index + "/search/?q=")


def test_back_to_a_search_htmx_no_longer_has_shows_the_whole_page(page, live_index):
    page.goto(live_index + "/faq/what-is-json/")
    page.keyboard.press("/")
    search_for(page, live_index, "429")
    page.keyboard.type(" rate", delay=20)
    expect(page).to_have_url(live_index + "/search/?q=429%20rate")
    # htmx keeps its copies of earlier pages in sessionStorage, which a browser may drop.
    page.evaluate("sessionStorage.removeItem('htmx-history-cache')")

    page.go_back()

    expect(page).to_have_url(live_index + "/search/?q=429")
    expect(page.locator("#results-title")).to_have_text(re.compile(r"results? for 429$"))
    expect(page.locator(".result-link").first).to_contain_text("429 status code")
    expect(search_box(page)).to_have_value("429")
    expect(search_box(page)).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_contain_text("Still stuck?")


def test_live_results_with_a_result_selected_pass_an_accessibility_check(page, live_index):
    page.goto(live_index + "/")
    page.keyboard.press("/")
    search_for(page, live_index, "token")
    page.keyboard.press("ArrowDown")
    expect(page.locator(".result-link").first).to_be_focused()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
