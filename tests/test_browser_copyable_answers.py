"""Answers developers can copy, in a real browser (issue 23): highlighted samples with their
language named and a working copy button in both themes, tap targets a thumb can hit, a search
box whose hint fits, a lookup answer that comes into view on a phone, and pastes replaced one
by another under the Content-Security-Policy (make_page fails a test on any console error,
which is how the browser reports a refused inline style)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
CORS_ERROR = (
    "Access to fetch at 'https://api.procore.com/rest/v1.0/projects' from origin "
    "'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' "
    "header is present on the requested resource."
)
RESPONSE_429 = (
    "HTTP/1.1 429 Too Many Requests\nX-Rate-Limit-Limit: 25\nX-Rate-Limit-Remaining: 0\n"
    "Retry-After: 30\n\nYou have surpassed the max number of requests for an hour. "
    "Please wait until your limit resets."
)


def paste(page, locator, text: str) -> None:
    """Replace what the field holds with `text`, through the clipboard, as a reader would."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    locator.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("ControlOrMeta+V")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_sample_is_highlighted_names_its_language_and_copies_as_written(
    make_page, live_faq, scheme
):
    page = make_page(
        viewport=DESKTOP,
        color_scheme=scheme,
        permissions=["clipboard-read", "clipboard-write"],
    )
    page.goto(live_faq + "/faq/rate-limit-429/")
    sample = page.locator(".code-sample").filter(has=page.locator(".language-python"))
    expect(sample.locator(".code-language")).to_have_text("Python")
    colours = page.evaluate(
        """() => {
          const code = document.querySelector('.code-sample .language-python');
          const colour = s => getComputedStyle(code.querySelector(s)).color;
          return {keyword: colour('.kn'), name: colour('.nn'), plain: getComputedStyle(code).color};
        }"""
    )
    assert colours["keyword"] != colours["plain"]
    assert colours["name"] != colours["keyword"]
    sample.get_by_role("button", name="Copy code").click()
    expect(sample.get_by_role("button", name="Copied code")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("import random\nimport time\n\nimport requests\n")
    assert "<span" not in copied


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_search_boxs_placeholder_fits(make_page, live_faq, viewport):
    page = make_page(viewport=viewport)
    page.goto(live_faq + "/faq/rate-limit-429/")
    room = page.evaluate(
        """() => {
          const box = document.querySelector('#site-search');
          const style = getComputedStyle(box);
          const context = document.createElement('canvas').getContext('2d');
          context.font = style.font;
          const inner = box.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
          return inner - context.measureText(box.placeholder).width;
        }"""
    )
    assert room >= 0


def test_links_that_stand_alone_are_at_least_24px_tall_on_a_phone(make_page, live_faq):
    page = make_page(viewport=PHONE)
    small = {}
    for path in ["/", "/c/oauth/", "/faq/rate-limit-429/", "/tools/", "/errors/", "/errors/429/"]:
        page.goto(live_faq + path)
        small[path] = page.evaluate(
            """() => [...document.querySelectorAll('a, button')]
              .filter(a => a.offsetParent !== null && !a.closest('p, td, dd, .prose'))
              .filter(a => a.getBoundingClientRect().height < 24)
              .map(a => a.textContent.trim().slice(0, 40))"""
        )
    assert small == {path: [] for path in small}


def test_a_pasted_response_in_the_lookup_comes_into_view_on_a_phone(make_page, live_faq):
    page = make_page(
        viewport=PHONE,
        reduced_motion="reduce",  # the scroll is then instant, so its end can be measured
        permissions=["clipboard-read", "clipboard-write"],
    )
    page.goto(live_faq + "/tools/error-codes/")
    result = page.locator("#lookup-result")
    paste(page, page.get_by_label("Status code, error message or raw response"), RESPONSE_429)
    expect(result).to_contain_text("Read as a response")
    expect(result).to_be_in_viewport()
    top = result.evaluate("element => element.getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"] / 2


def test_typing_in_the_lookup_does_not_pull_the_page_away_from_the_field(make_page, live_faq):
    page = make_page(viewport=PHONE)
    page.goto(live_faq + "/tools/error-codes/")
    field = page.get_by_label("Status code, error message or raw response")
    field.press_sequentially("429")
    expect(page.locator("#lookup-result")).to_contain_text("Too Many Requests")
    expect(field).to_be_in_viewport()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_one_paste_replaced_by_another_in_the_header_search_breaks_no_policy(
    make_page, live_index, viewport
):
    page = make_page(viewport=viewport, permissions=["clipboard-read", "clipboard-write"])
    page.goto(live_index + "/search/")
    box = page.locator("#site-search")
    main = page.locator("#main")
    paste(page, box, CORS_ERROR)
    expect(main).to_contain_text("client-side application")
    paste(page, box, RESPONSE_429)
    expect(main).to_contain_text("429 status code")
    paste(page, box, CORS_ERROR)
    expect(main).to_contain_text("client-side application")
    page.keyboard.press("Enter")
    expect(main).to_contain_text("client-side application")
