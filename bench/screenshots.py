"""Screenshots of the site for the README and docs/: `make screenshots`.

Serves a throwaway site (bench/throwaway_site.py), drives Debian's Chromium with Playwright
through the pages a developer sees, in light and dark colour schemes and at a phone's width,
and the admin screens a support engineer uses, and writes PNG files to docs/screenshots/.
The throwaway site also gets an engineer's account and one demo entry with a long code block,
URL and token, to show they stay inside the page on a phone. Names on the command line take
only those pictures: `python bench/screenshots.py error-page palette`
(`make screenshots SHOTS="error-page palette"`).
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.throwaway_site import ROOT, throwaway_site  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
ENGINEER = ("engineer", "a-long-screenshot-password")
DEMO_ENTRY = """
from kb.models import Category, Entry
command = (
    'curl -s -H "Authorization: Bearer $PROCORE_ACCESS_TOKEN" -H "Procore-Company-Id: 1234567" '
    '"https://api.procore.com/rest/v1.0/projects?company_id=1234567&page=1&per_page=100"'
)
Entry.objects.create(
    category=Category.objects.get(slug="oauth"), slug="call-the-api-with-curl", order=99,
    status=Entry.Status.PUBLISHED,
    question="How do I send my first request with curl?",
    answer="Send both headers with every request:\\n\\n```sh\\n" + command + "\\n```\\n\\n"
    "The token is the access_token of the token response, such as "
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N, "
    "and the company id the one in https://app.procore.com/1234567/company/home/list.",
)
"""
RAW_429 = (
    "HTTP/1.1 429 Too Many Requests\nX-Rate-Limit-Limit: 3600\nX-Rate-Limit-Remaining: 0\n"
    f"X-Rate-Limit-Reset: {int(time.time()) + 1500}\nRetry-After: 1500"
)


def _token_expiry(page, base: str) -> None:
    page.goto(base + "/tools/token-expiry/")
    issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 5400))
    page.get_by_label("When the token was issued").fill(issued)
    page.locator("#token-result").get_by_text("UTC").first.wait_for()


def _error_codes(page, base: str) -> None:
    page.goto(base + "/tools/error-codes/")
    page.get_by_label("Status code, error message or raw response").fill(RAW_429)
    page.locator("#lookup-result .code-card").first.wait_for()


def _search(page, base: str) -> None:
    page.goto(base + "/")
    page.get_by_role("searchbox", name="Search the knowledge base").press_sequentially(
        "invalid_grant", delay=30
    )
    page.locator(".result-link").first.wait_for()


def _sign_in(page, base: str) -> None:
    page.goto(base + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(ENGINEER[0])
    page.get_by_label("Password").fill(ENGINEER[1])
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Content and support tools").wait_for()


def _entry_id(page, base: str, slug: str) -> str:
    page.goto(f"{base}/admin/kb/entry/?q={slug}")
    href = page.locator("#result_list tbody a").first.get_attribute("href")
    return href.split("/change/")[0].rsplit("/", 1)[-1]  # /admin/kb/entry/19/change/?…


def _admin_entries(page, base: str) -> None:
    _sign_in(page, base)
    page.goto(base + "/admin/kb/entry/")


def _admin_entry(page, base: str) -> None:
    _sign_in(page, base)
    page.goto(f"{base}/admin/kb/entry/{_entry_id(page, base, 'rate-limit-429')}/change/")


def _admin_history(page, base: str) -> None:
    """An engineer's edit of the 429 answer, then its history."""
    _sign_in(page, base)
    entry_id = _entry_id(page, base, "rate-limit-429")
    page.goto(f"{base}/admin/kb/entry/{entry_id}/change/")
    answer = page.locator("#id_answer")
    if "Wait until" not in answer.input_value():
        answer.fill(
            answer.input_value().replace("You have exceeded", "You have probably exceeded")
            + "\n\nWait until the time in X-Rate-Limit-Reset before sending more requests."
        )
        page.get_by_role("button", name="Save", exact=True).click()
        page.locator(".messagelist").wait_for()
    page.goto(f"{base}/admin/kb/entry/{entry_id}/history/")


def _palette(page, base: str) -> None:
    page.goto(base + "/faq/access-token-lifetime/")
    page.keyboard.press("Control+k")
    page.keyboard.type("refresh token", delay=30)
    page.get_by_role("group", name="Answers").get_by_role("option").first.wait_for()
    page.keyboard.press("ArrowDown")


# name -> what to do before the picture is taken
PAGES = {
    "home": lambda page, base: page.goto(base + "/"),
    "entry": lambda page, base: page.goto(base + "/faq/refresh-token-invalid/"),
    "search": _search,
    "tools": lambda page, base: page.goto(base + "/tools/"),
    "token-expiry": _token_expiry,
    "error-codes": _error_codes,
    "entry-code": lambda page, base: page.goto(base + "/faq/call-the-api-with-curl/"),
    "admin-entries": _admin_entries,
    "admin-entry": _admin_entry,
    "admin-history": _admin_history,
    "error-page": lambda page, base: page.goto(base + "/errors/429/"),
    "palette": _palette,
}
PHONE_PAGES = ["home", "entry", "entry-code", "search", "error-codes", "error-page"]


def main(names: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    if unknown := set(names) - set(PAGES):
        sys.exit(f"no such screenshot: {', '.join(sorted(unknown))} (there are {', '.join(PAGES)})")
    wanted = names or list(PAGES)
    OUT.mkdir(parents=True, exist_ok=True)
    # The demo entry is there for the phone; the admin is for a desktop.
    shots = [
        (name, scheme, "desktop")
        for name in wanted
        if name != "entry-code"
        for scheme in ("light", "dark")
    ]
    shots += [
        (name, scheme, "phone")
        for name in PHONE_PAGES
        if name in wanted
        for scheme in ("light", "dark")
    ]
    setup = (
        ["createsuperuser", "--noinput", "--username", ENGINEER[0], "--email", "e@example.com"],
        ["shell", "-c", DEMO_ENTRY],
    )
    site = throwaway_site(extra_setup=setup, env={"DJANGO_SUPERUSER_PASSWORD": ENGINEER[1]})
    with site as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for name, scheme, size in shots:
            phone = size == "phone"
            context = browser.new_context(
                viewport=PHONE if phone else DESKTOP,
                color_scheme=scheme,
                device_scale_factor=2 if phone else 1,
                is_mobile=phone,
                has_touch=phone,
                locale="en-US",
                timezone_id="America/New_York",
            )
            page = context.new_page()
            PAGES[name](page, base)
            page.wait_for_load_state("networkidle")
            filename = f"{name}-{scheme}{'-phone' if phone else ''}.png"
            page.screenshot(path=OUT / filename)
            print(f"docs/screenshots/{filename}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
