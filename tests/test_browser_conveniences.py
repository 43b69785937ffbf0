"""Copy buttons, heading anchors and local dates on the entry page (static/js/site.js)."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from kb.models import Entry
from tests.factories import make_entry

pytestmark = pytest.mark.browser

CODE = 'curl -H "Authorization: Bearer <token>" \\\n  https://api.procore.com/rest/v1.0/me'
ANSWER = f"""Start here.

## Send the request

```sh
{CODE}
```

### Read the answer

```json
{{"id": 42}}
```
"""


@pytest.fixture
def entry_url(live_server):
    """An entry with sections and code blocks, last updated at noon UTC on 5 March 2024."""
    entry = make_entry(slug="call-the-api", question="How do I call the API?", answer=ANSWER)
    Entry.objects.filter(pk=entry.pk).update(
        updated=datetime.datetime(2024, 3, 5, 12, 0, tzinfo=datetime.UTC)
    )
    return live_server.url + "/faq/call-the-api/"


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def test_the_copy_button_copies_a_code_block(clipboard_page, entry_url):
    page = clipboard_page
    page.goto(entry_url)
    expect(page.get_by_role("button", name="Copy code")).to_have_count(2)
    # Located by place, not by name: the name changes to "Copied code" on a click.
    first, second = page.locator(".code-block button").all()

    first.click()

    assert clipboard(page) == CODE
    expect(first).to_have_text("Copied code")
    expect(second).to_have_text("Copy code")
    expect(page.get_by_role("status")).to_have_text("Copied to clipboard")

    second.click()
    assert clipboard(page) == '{"id": 42}'


def test_copying_works_where_the_clipboard_api_is_missing(clipboard_page, entry_url):
    # As on a page served over plain HTTP: no navigator.clipboard, so the old way is used.
    clipboard_page.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined})"
    )
    clipboard_page.goto(entry_url)
    assert clipboard_page.evaluate("navigator.clipboard") is None

    clipboard_page.get_by_role("button", name="Copy code").first.click()

    expect(clipboard_page.get_by_role("status")).to_have_text("Copied to clipboard")
    reader = clipboard_page.context.new_page()
    reader.goto(entry_url)
    assert clipboard(reader) == CODE


def test_copy_link_copies_the_absolute_permalink(clipboard_page, entry_url):
    clipboard_page.goto(entry_url + "?sq=from-a-search#answer-read-the-answer")
    expect(clipboard_page.get_by_role("button", name="Copy link")).to_be_visible()
    button = clipboard_page.locator(".meta button")

    button.click()

    assert clipboard(clipboard_page) == entry_url
    expect(button).to_have_text("Link copied")
    expect(clipboard_page.get_by_role("status")).to_have_text("Copied to clipboard")


def test_headings_in_an_answer_link_to_themselves(page, entry_url):
    page.goto(entry_url)
    heading = page.get_by_role("heading", level=2, name="Send the request")
    anchor = heading.get_by_role("link", name="#")
    expect(anchor).to_be_visible()
    expect(anchor).to_have_attribute("title", "Link to this section")

    anchor.click()

    expect(page).to_have_url(entry_url + "#answer-send-the-request")
    expect(page.get_by_role("heading", level=3, name="Read the answer")).to_have_attribute(
        "id", "answer-read-the-answer"
    )


def test_the_date_is_shown_in_the_readers_language(make_page, entry_url):
    page = make_page(locale="fr-FR", timezone_id="Europe/Paris")
    page.goto(entry_url)
    date = page.locator("time[datetime='2024-03-05T12:00:00Z']")
    expect(date).to_have_text("5 mars 2024")
    expect(date).to_have_attribute("title", "mardi 5 mars 2024 à 13:00")


def test_without_javascript_the_page_keeps_the_servers_date_and_no_dead_buttons(
    make_page, entry_url
):
    page = make_page(java_script_enabled=False, locale="fr-FR")
    page.goto(entry_url)
    expect(page.locator("time")).to_have_text("5 March 2024")
    expect(page.get_by_role("button", name="Copy code")).to_have_count(0)
    expect(page.get_by_role("button", name="Copy link")).to_have_count(0)
    expect(page.get_by_text("Press / to search")).to_be_hidden()
    expect(page.get_by_role("link", name="Permalink")).to_have_attribute(
        "href", "/faq/call-the-api/"
    )
    page.get_by_role("heading", name="Read the answer").get_by_role("link", name="#").click()
    expect(page).to_have_url(entry_url + "#answer-read-the-answer")


def test_the_added_controls_pass_an_accessibility_check(page, entry_url):
    page.goto(entry_url)
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    page.get_by_role("button", name="Copy code").first.focus()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
