"""The layout in a real browser: nothing scrolls sideways on a phone, code scrolls in its box,
the copy button never covers code, the footer stays at the bottom, links look like links."""

import pytest
from playwright.sync_api import expect

from kb import search
from kb.models import Category
from tests.factories import make_entry

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
LONG_COMMAND = (
    'curl -s -H "Authorization: Bearer $PROCORE_ACCESS_TOKEN" -H "Procore-Company-Id: 1234567" '
    '"https://api.procore.com/rest/v1.0/projects?company_id=1234567&page=1&per_page=100"'
)
LONG_URL = (
    "https://api.procore.com/rest/v1.0/companies/1234567/projects/7654321/submittals"
    "?filters[status_id]=1&filters[created_at]=2024-01-01...2024-12-31&sort=-created_at"
)
LONG_TOKEN = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9" + "Zm9vYmFyYmF6cXV4" * 8
ANSWER = f"""Send the request with both headers:

```sh
{LONG_COMMAND}
```

The full URL is {LONG_URL} and [the same as a link]({LONG_URL}).

A token looks like {LONG_TOKEN} in the header, or `{LONG_TOKEN}` as code.

| Header | Value |
|---|---|
| Authorization | Bearer {LONG_TOKEN} |
"""
RAW_RESPONSE = f"HTTP/1.1 429 Too Many Requests\nX-Request-Id: {LONG_TOKEN}\nRetry-After: 30"


@pytest.fixture
def long_entry(live_faq):
    """A published entry full of things that do not wrap, in the real FAQ, indexed."""
    make_entry(
        category=Category.objects.get(slug="oauth"),
        slug="long-lines",
        question=f"Why does my request to {LONG_URL} fail?",
        answer=ANSWER,
        symptoms=LONG_TOKEN,
    )
    search.rebuild()
    return live_faq


PAGES = [
    "/",
    "/c/oauth/",
    "/faq/long-lines/",
    "/faq/refresh-token-invalid/",
    f"/search/?q={LONG_TOKEN}",
    "/search/?q=authorization+bearer+token",
    f"/search/?q=xyzzy{LONG_TOKEN}",
    "/search/",
    f"/no-such-page-{LONG_TOKEN}/",
    "/tools/",
    "/tools/token-expiry/?issued_at=2026-01-01T00:00:00Z",
    "/tools/error-codes/",
    "/tools/error-codes/?q=429",
]


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.expected_console_error(r"status of 404 \(Not Found\)")
def test_no_page_scrolls_sideways_on_a_phone(make_page, long_entry):
    page = make_page(viewport=PHONE)
    wide = {}
    for path in PAGES:
        page.goto(long_entry + path)
        if page_width(page) > PHONE["width"]:
            wide[path] = page_width(page)
    # A long pasted response in the error-code lookup, answered in place.
    page.goto(long_entry + "/tools/error-codes/")
    page.get_by_label("Status code, error message or raw response").fill(RAW_RESPONSE)
    expect(page.locator("#lookup-result .code-card").first).to_be_visible()
    if page_width(page) > PHONE["width"]:
        wide["the lookup of a long paste"] = page_width(page)
    assert wide == {}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_long_code_scrolls_inside_its_box(make_page, long_entry, viewport):
    page = make_page(viewport=viewport)
    page.goto(long_entry + "/faq/long-lines/")
    code = page.locator(".answer pre").first
    sizes = code.evaluate("pre => [pre.scrollWidth, pre.clientWidth]")
    assert sizes[0] > sizes[1], "the command is longer than its box, so the box scrolls"
    assert page_width(page) <= viewport["width"]
    # Scrolled by the keyboard: the box takes focus.
    code.focus()
    page.keyboard.press("ArrowRight")
    expect(code).to_be_focused()
    # The browser may scroll smoothly, over a few frames: wait for it (fails after 5 s).
    page.wait_for_function("pre => pre.scrollLeft > 0", arg=code.element_handle(), timeout=5000)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_copy_button_never_covers_the_code(make_page, long_entry, viewport):
    page = make_page(viewport=viewport)
    page.goto(long_entry + "/faq/long-lines/")
    button = page.get_by_role("button", name="Copy code")
    expect(button).to_be_visible()
    button_box = button.bounding_box()
    code_box = page.locator(".answer pre code").first.bounding_box()
    assert button_box["y"] + button_box["height"] <= code_box["y"]
    block_box = page.locator(".code-block").bounding_box()
    assert button_box["x"] + button_box["width"] <= block_box["x"] + block_box["width"]


@pytest.mark.parametrize("path", ["/search/", "/tools/token-expiry/"])
def test_the_footer_stays_at_the_bottom_of_a_short_page(make_page, live_faq, path):
    page = make_page(viewport={"width": 1280, "height": 1400})
    page.goto(live_faq + path)
    footer = page.locator(".site-footer").bounding_box()
    assert footer["y"] + footer["height"] == pytest.approx(1400, abs=1)
    assert page.evaluate("document.documentElement.scrollHeight") == 1400


def test_the_tool_cards_titles_look_like_links(make_page, live_faq):
    page = make_page(viewport=DESKTOP)
    page.goto(live_faq + "/")
    link_colour = page.locator(".question-list a").first.evaluate("a => getComputedStyle(a).color")
    for path, selector in (("/", ".tool-card a"), ("/tools/", ".tool-card h2 a")):
        page.goto(live_faq + path)
        for title in page.locator(selector).all():
            style = title.evaluate(
                "a => [getComputedStyle(a).color, getComputedStyle(a).textDecorationLine]"
            )
            assert style == [link_colour, "underline"], (path, title.text_content())


def test_show_times_lines_up_with_the_timezone_box(make_page, live_faq):
    page = make_page(viewport=DESKTOP)
    page.goto(live_faq + "/tools/")
    button = page.get_by_role("button", name="Show times").bounding_box()
    box = page.get_by_label("Your timezone").bounding_box()
    assert button["y"] + button["height"] == pytest.approx(box["y"] + box["height"], abs=1)
