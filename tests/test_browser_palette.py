"""The command palette (static/js/palette.js): Ctrl-K or Cmd-K, live answers, error codes and
tools, the keyboard alone, recent searches in the browser, focus kept and given back."""

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from kb import search
from kb.models import Entry, SearchRecord

pytestmark = pytest.mark.browser


def palette(page):
    return page.get_by_role("dialog", name="Quick search")


def palette_input(page):
    return page.get_by_role("combobox", name="Search answers, error codes and tools")


def options(page):
    return page.get_by_role("option")


def active_option(page):
    """The option aria-activedescendant points to, as a screen reader hears it."""
    return page.evaluate(
        """() => {
            const box = document.getElementById("palette-input");
            const id = box.getAttribute("aria-activedescendant");
            const option = id && document.getElementById(id);
            return option ? option.textContent : null;
        }"""
    )


def test_ctrl_k_opens_the_palette_finds_an_answer_and_opens_it_with_the_keyboard_alone(
    page, live_index
):
    page.goto(live_index + "/faq/what-is-json/")
    expect(palette(page)).to_be_hidden()

    page.keyboard.press("Control+k")
    expect(palette(page)).to_be_visible()
    expect(palette_input(page)).to_be_focused()

    page.keyboard.type("refresh token invalid", delay=20)
    answers = page.get_by_role("group", name="Answers").get_by_role("option")
    expect(answers.first).to_contain_text("My refresh token is not working")
    # The first answer is chosen for the reader once the answers are in: Enter opens it.
    expect(answers.first).to_have_attribute("aria-selected", "true")
    assert active_option(page).startswith("My refresh token is not working")
    expect(palette_input(page)).to_be_focused()  # the options are chosen, focus stays put
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/faq/refresh-token-invalid/\?sq=\d+\.1%3A[\w-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "My refresh token is not working, or it says it is invalid. Why is that?"
    )
    # The answer came from the search page: the search log saw the search and its opening.
    record = SearchRecord.objects.get()
    assert record.query == "refresh token invalid"
    assert record.opened


def test_cmd_k_opens_it_too_and_escape_puts_focus_back_where_it_was(page, live_index):
    page.goto(live_index + "/faq/what-is-json/")
    permalink = page.get_by_role("link", name="Permalink")
    permalink.focus()

    page.keyboard.press("Meta+k")
    expect(palette(page)).to_be_visible()
    expect(palette_input(page)).to_be_focused()
    page.keyboard.press("Escape")

    expect(palette(page)).to_be_hidden()
    expect(permalink).to_be_focused()


def test_the_shortcut_closes_it_again_and_the_button_opens_it(page, live_index):
    page.goto(live_index + "/")
    page.keyboard.press("Control+k")
    expect(palette(page)).to_be_visible()
    page.keyboard.press("Control+k")
    expect(palette(page)).to_be_hidden()

    button = page.get_by_role("button", name=re.compile("^Quick search"))
    button.click()
    expect(palette(page)).to_be_visible()
    page.get_by_role("button", name="Close quick search").click()
    expect(palette(page)).to_be_hidden()
    expect(button).to_be_focused()


def test_tab_stays_inside_the_open_palette(page, live_index):
    page.goto(live_index + "/")
    page.keyboard.press("Control+k")
    inside = []
    for _ in range(6):
        page.keyboard.press("Tab")
        inside.append(
            page.evaluate("document.getElementById('palette').contains(document.activeElement)")
        )
    for _ in range(6):
        page.keyboard.press("Shift+Tab")
        inside.append(
            page.evaluate("document.getElementById('palette').contains(document.activeElement)")
        )
    assert all(inside)
    # The rest of the page cannot be reached while it is open.
    assert page.evaluate("document.querySelector('main').matches(':modal')") is False
    assert page.evaluate("document.getElementById('palette').matches(':modal')") is True


def test_the_arrow_keys_go_round_and_enter_with_nothing_chosen_searches(page, live_index):
    page.goto(live_index + "/")
    page.keyboard.press("Control+k")
    page.keyboard.type("webhooks", delay=20)
    expect(page.get_by_role("group", name="Answers").get_by_role("option").first).to_be_visible()
    last = options(page).last
    expect(last).to_have_text("All results for “webhooks”")
    expect(options(page).first).to_have_attribute("aria-selected", "true")  # chosen for us

    page.keyboard.press("ArrowUp")  # up from the first goes to the last option
    expect(last).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")  # and down from the last to the first
    expect(options(page).first).to_have_attribute("aria-selected", "true")

    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(last).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_index + "/search/?q=webhooks")

    page.keyboard.press("Control+k")
    page.keyboard.type("rate limit", delay=0)
    # Enter before any answer is in: nothing was chosen, the form goes to the search page.
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_index + "/search/?q=rate%20limit")
    expect(page.locator(".result-link").first).to_be_visible()


def test_error_pages_and_tools_are_reachable_from_the_palette(page, live_index):
    page.goto(live_index + "/")
    page.keyboard.press("Control+k")
    go_to = page.get_by_role("group", name="Go to").get_by_role("option")
    expect(go_to).to_have_text(
        [
            "Every error code",
            "Error-code lookup",
            "Token-expiry calculator",
            "Tools: support hours and the next sandbox restore",
            "Every question, by topic",
        ]
    )

    page.keyboard.type("429", delay=20)
    codes = page.get_by_role("group", name="Error codes").get_by_role("option")
    expect(codes).to_have_text(["429 Too Many RequestsError code"])
    expect(codes.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_index + "/errors/429/")
    expect(page.get_by_role("heading", level=1)).to_have_text("429 Too Many Requests")
    page.wait_for_load_state()  # the palette's script listens for the shortcut from then on

    page.keyboard.press("Control+k")
    page.keyboard.type("token expiry", delay=20)
    tool = page.get_by_role("group", name="Go to").get_by_role("option")
    expect(tool).to_have_text(["Token-expiry calculator"])
    tool.click()
    expect(page).to_have_url(live_index + "/tools/token-expiry/")


def test_recent_searches_are_kept_in_this_browser_only(page, live_index):
    page.goto(live_index + "/")
    page.keyboard.press("Control+k")
    recent = page.get_by_role("group", name="Recent searches")
    expect(recent).to_have_count(0)
    page.keyboard.type("cors", delay=20)
    page.get_by_role("group", name="Answers").get_by_role("option").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/faq/cors"))

    stored = page.evaluate("localStorage.getItem('kb.palette.recent')")
    assert json.loads(stored) == ["cors"]
    page.keyboard.press("Control+k")
    expect(recent.get_by_role("option")).to_have_text(["corsRecent search"])

    # Choosing a recent search searches it again.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(palette_input(page)).to_have_value("cors")
    expect(page.get_by_role("group", name="Answers").get_by_role("option").first).to_be_visible()

    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    page.get_by_role("button", name="Clear recent searches").click()
    expect(recent).to_have_count(0)
    assert page.evaluate("localStorage.getItem('kb.palette.recent')") is None
    expect(palette_input(page)).to_be_focused()


def test_screen_readers_hear_what_arrived(page, live_index):
    page.goto(live_index + "/")
    page.keyboard.press("Control+k")
    page.keyboard.type("429", delay=20)
    status = palette(page).get_by_role("status")
    expect(status).to_have_text(re.compile(r"^\d+ answers?, 1 error code for 429$"))
    page.keyboard.type("xyzzyq", delay=20)
    expect(status).to_have_text("No answers for 429xyzzyq")


def test_drafts_never_show_in_the_palette(page, live_index):
    Entry.objects.filter(slug="rate-limit-429").update(status=Entry.Status.DRAFT)
    search.rebuild()
    page.goto(live_index + "/")
    page.keyboard.press("Control+k")
    page.keyboard.type("429 too many requests", delay=20)
    # Without its entry, search has no answer about 429: what it lists is loosely related.
    related = page.get_by_role("group", name="No answer yet; loosely related")
    expect(related.get_by_role("option").first).to_be_visible()
    expect(options(page).filter(has_text="I am receiving a 429")).to_have_count(0)


def test_the_open_palette_with_results_passes_an_accessibility_check(make_page, live_index):
    for scheme in ("light", "dark"):
        page = make_page(color_scheme=scheme)
        page.goto(live_index + "/errors/429/")
        page.keyboard.press("Control+k")
        page.keyboard.type("token", delay=20)
        expect(
            page.get_by_role("group", name="Answers").get_by_role("option").first
        ).to_be_visible()
        page.keyboard.press("ArrowDown")
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()


def test_without_javascript_there_is_no_palette_and_search_still_works(make_page, live_index):
    page = make_page(java_script_enabled=False)
    page.goto(live_index + "/")
    expect(page.get_by_role("button", name=re.compile("^Quick search"))).to_be_hidden()
    expect(palette(page)).to_be_hidden()
    page.keyboard.press("Control+k")
    expect(palette(page)).to_be_hidden()
    box = page.get_by_role("searchbox", name="Search the knowledge base")
    box.fill("invalid_grant")
    box.press("Enter")
    expect(page).to_have_url(live_index + "/search/?q=invalid_grant")
    expect(page.locator(".result-link").first).to_be_visible()


def test_a_pasted_secret_never_lands_in_recent_searches(page, live_index):
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl"
    page.goto(live_index + "/")
    page.keyboard.press("Control+k")
    page.keyboard.type(f"Authorization: Bearer {token} 401", delay=5)
    page.get_by_role("group", name="Answers").get_by_role("option").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/faq/"))

    stored = json.loads(page.evaluate("localStorage.getItem('kb.palette.recent')"))
    assert len(stored) == 1
    assert token not in stored[0]
    assert "[redacted]" in stored[0]
    assert token not in SearchRecord.objects.get().query


@pytest.mark.parametrize(
    "typed, url",
    [
        ("401", "/errors/401/"),
        ("token calc", "/tools/token-expiry/"),
        ("rate limit lookup", "/tools/error-codes/"),
    ],
)
def test_typing_what_a_page_is_called_and_enter_opens_it(page, live_index, typed, url):
    page.goto(live_index + "/")
    page.keyboard.press("Control+k")
    page.keyboard.type(typed, delay=0)
    expect(options(page).first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_index + url)


def test_searching_in_the_palette_then_opening_a_result_is_one_search(page, live_index):
    page.goto(live_index + "/")
    page.keyboard.press("Control+k")
    page.keyboard.type("x", delay=0)
    page.keyboard.press("Backspace")
    page.keyboard.type("refresh token invalid", delay=60)  # pauses send searches on the way
    answers = page.get_by_role("group", name="Answers").get_by_role("option")
    expect(answers.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/faq/refresh-token-invalid/"))
    assert list(SearchRecord.objects.values_list("query", "opened")) == [
        ("refresh token invalid", True)
    ]


def test_the_palette_says_when_there_is_no_answer_and_enter_shows_the_search_page(page, live_index):
    page.goto(live_index + "/")
    page.keyboard.press("Control+k")
    page.keyboard.type("webhook payload signature verification", delay=0)
    related = page.get_by_role("group", name="No answer yet; loosely related")
    expect(related.get_by_role("option").first).to_be_visible()
    expect(palette_input(page)).not_to_have_attribute("aria-activedescendant", re.compile("."))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=webhook"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "No answer about webhook payload signature verification yet"
    )
