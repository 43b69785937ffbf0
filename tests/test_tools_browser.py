"""The tools in a real browser: answers change as the reader types, without a page load, and
the plain form works with JavaScript off."""

import json
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MARKER = "window.kbSamePage"


def mark_the_page(page) -> None:
    # A full page load would wipe this: seeing it later proves the answer came in by htmx.
    page.evaluate(f"{MARKER} = 'still here'")


def assert_no_page_load(page) -> None:
    assert page.evaluate(MARKER) == "still here"


def test_the_calculator_answers_as_the_reader_types(make_page, live_faq):
    page = make_page(timezone_id="Europe/Paris")
    page.goto(live_faq + "/tools/token-expiry/")
    expect(page.get_by_label("Your timezone")).to_have_value("Europe/Paris")
    mark_the_page(page)
    result = page.locator("#token-result")

    page.get_by_label("When the token was issued").fill("2025-03-04T10:00:00Z")
    expect(result).to_contain_text("Expired")
    expect(result).to_contain_text("Tue 4 Mar 2025, 12:00:00 UTC")
    expect(result).to_contain_text("Expires in Europe/Paris")
    expect(result).to_contain_text("Tue 4 Mar 2025, 13:00:00 CET")
    expect(
        result.get_by_role("link", name="My access token isn’t working. Why not?")
    ).to_be_visible()

    token = {"access_token": "…", "expires_in": 5400, "created_at": int(time.time())}
    page.get_by_label("Or paste the token response").fill(json.dumps(token))
    expect(result).to_contain_text("Still valid")
    expect(result).to_contain_text("5400 seconds (1 hour, 30 minutes), from the pasted response")
    expect(result.get_by_role("link", name="How long does my refresh token last?")).to_be_visible()

    page.get_by_label("Or paste the token response").fill("{not json")
    expect(page.locator("#id_token_response_error")).to_contain_text("This is not valid JSON")
    page.get_by_label("Or paste the token response").fill("")
    expect(page.locator("#id_token_response_error")).to_be_empty()
    expect(result).to_contain_text("Expired")
    assert_no_page_load(page)


def test_the_calculator_shows_a_bad_date_next_to_its_field(make_page, live_faq):
    page = make_page()
    page.goto(live_faq + "/tools/token-expiry/")
    mark_the_page(page)
    page.get_by_label("When the token was issued").fill("next Tuesday")
    expect(page.locator("#id_issued_at_error")).to_contain_text("is not a date-time we can read")
    page.get_by_label("When the token was issued").fill("1741082400000")
    expect(page.locator("#id_issued_at_error")).to_be_empty()
    expect(page.locator("#token-result")).to_contain_text("read as milliseconds")
    assert_no_page_load(page)


def test_the_lookup_answers_as_the_reader_types(make_page, live_faq):
    page = make_page(timezone_id="Asia/Tokyo")
    page.goto(live_faq + "/tools/error-codes/")
    expect(page.get_by_label("Your timezone")).to_have_value("Asia/Tokyo")
    mark_the_page(page)
    box = page.get_by_label("Status code, error message or raw response")
    result = page.locator("#lookup-result")

    box.fill("429")
    expect(result.get_by_role("heading", name="429 Too Many Requests")).to_be_visible()
    expect(result).to_contain_text("Retry only after waiting.")

    box.fill("")
    box.press_sequentially("App is not connected")
    expect(result.get_by_role("heading", name="403 Forbidden")).to_be_visible()
    expect(result.get_by_role("link", name="403 forbidden error").first).to_be_visible()

    box.fill("HTTP/1.1 429 Too Many Requests\nX-Rate-Limit-Remaining: 0\nRetry-After: 600")
    expect(result).to_contain_text("Retry at")
    expect(result).to_contain_text("JST")
    expect(result).to_contain_text("in 10 minutes")

    box.fill("4290")
    expect(page.locator("#id_q_error")).to_contain_text("“4290” is not an HTTP status code")
    box.fill("418")
    expect(page.locator("#id_q_error")).to_be_empty()
    expect(result).to_contain_text("418 is not a code the Procore API documents")
    expect(
        result.get_by_role("link", name="Search the knowledge base for “418”")
    ).to_have_attribute("href", "/search/?q=418")
    assert_no_page_load(page)


def test_the_tools_page_answers_in_the_browsers_timezone(make_page, live_faq):
    page = make_page(timezone_id="Australia/Sydney")
    page.goto(live_faq + "/tools/")
    answers = page.locator("#tool-answers")
    expect(answers).to_contain_text("in Australia/Sydney")
    expect(answers).to_contain_text("When is the next monthly sandbox restore?")
    expect(page.get_by_label("Your timezone")).to_have_value("Australia/Sydney")


# A form with a mistake comes back with status 400, which the browser logs.
@pytest.mark.expected_console_error(r"status of 400 \(Bad Request\)")
def test_without_javascript_the_calculator_is_a_plain_form(make_page, live_faq):
    page = make_page(java_script_enabled=False, timezone_id="Europe/Paris")
    page.goto(live_faq + "/tools/token-expiry/")
    expect(page.get_by_label("Your timezone")).to_have_value("UTC")
    page.get_by_label("When the token was issued").fill("2025-03-04T10:00:00Z")
    page.get_by_role("button", name="Calculate").click()
    result = page.locator("#token-result")
    expect(result).to_contain_text("Tue 4 Mar 2025, 12:00:00 UTC")
    expect(result).not_to_contain_text("Expires in")
    expect(page.get_by_label("When the token was issued")).to_have_value("2025-03-04T10:00:00Z")

    page.get_by_label("Your timezone").fill("Nowhere/Special")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator("#id_tz_error")).to_contain_text("is not a timezone we know")


# A form with a mistake comes back with status 400, which the browser logs.
@pytest.mark.expected_console_error(r"status of 400 \(Bad Request\)")
def test_without_javascript_the_lookup_is_a_plain_form(make_page, live_faq):
    page = make_page(java_script_enabled=False)
    page.goto(live_faq + "/tools/error-codes/")
    box = page.get_by_label("Status code, error message or raw response")
    box.fill("Missing Procore-Company-Id header!")
    page.get_by_role("button", name="Look up").click()
    result = page.locator("#lookup-result")
    expect(result).to_contain_text("Known message: “Missing Procore-Company-Id header!”")
    box = page.get_by_label("Status code, error message or raw response")
    box.fill("abc")
    page.get_by_role("button", name="Look up").click()
    expect(page.locator("#id_q_error")).to_contain_text("Found no status code")
    page.get_by_role("link", name="Tools").first.click()
    expect(page.locator("#tool-answers")).to_contain_text("UTC")


@pytest.mark.parametrize("path", ["/tools/", "/tools/token-expiry/", "/tools/error-codes/?q=429"])
def test_the_tools_pages_have_no_accessibility_violations(make_page, live_faq, path):
    page = make_page()
    page.goto(live_faq + path)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
