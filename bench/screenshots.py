"""Screenshots of the site for the README: `make screenshots`.

Serves a throwaway site (bench/throwaway_site.py), drives Debian's Chromium with Playwright
through the pages a developer sees, in light and dark colour schemes and at a phone's width,
and writes PNG files to docs/screenshots/. Names on the command line take only those pictures:
`python bench/screenshots.py error-page palette` (`make screenshots SHOTS="error-page palette"`).
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
    "error-page": lambda page, base: page.goto(base + "/errors/429/"),
    "palette": _palette,
}
PHONE_PAGES = ["home", "entry", "search", "error-codes", "error-page"]


def main(names: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    if unknown := set(names) - set(PAGES):
        sys.exit(f"no such screenshot: {', '.join(sorted(unknown))} (there are {', '.join(PAGES)})")
    wanted = names or list(PAGES)
    OUT.mkdir(parents=True, exist_ok=True)
    shots = [(name, scheme, "desktop") for name in wanted for scheme in ("light", "dark")]
    shots += [
        (name, scheme, "phone")
        for name in PHONE_PAGES
        if name in wanted
        for scheme in ("light", "dark")
    ]
    with throwaway_site() as base, sync_playwright() as playwright:
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
