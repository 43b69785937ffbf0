"""Pictures of the support loop in the admin, on a seeded log: part of `make screenshots`.

Serves a throwaway site (bench/throwaway_site.py) seeded by bench/seed_support_log.py, signs in
as the seeded engineer with Playwright and Debian's Chromium, and writes to docs/screenshots/:
the search insights page (self-service score, trend, answers per entry), the unanswered
searches grouped by problem, an entry's verification bar and proposed symptoms, and the admin
home with the answers due per owner.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.screenshots import CHROMIUM, DESKTOP, OUT  # noqa: E402
from bench.seed_support_log import ENGINEER  # noqa: E402
from bench.throwaway_site import ROOT, throwaway_site  # noqa: E402

SEED = ROOT / "bench" / "seed_support_log.py"
# name -> (admin path, full page?)
PAGES = {
    "admin-insights": ("/admin/kb/searchrecord/?days=30", True),
    "admin-gaps": ("/admin/kb/searchrecord/gaps/?days=30", False),
    "admin-home": ("/admin/", False),
}


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with throwaway_site(setup_scripts=(SEED,)) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport=DESKTOP, color_scheme="light", locale="en-US")
        page = context.new_page()
        page.goto(base + "/admin/login/?next=/admin/")
        page.get_by_label("Username").fill(ENGINEER[0])
        page.get_by_label("Password").fill(ENGINEER[1])
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(base + "/admin/")
        for name, (path, full_page) in PAGES.items():
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT / f"{name}.png", full_page=full_page)
            print(f"docs/screenshots/{name}.png")
        page.goto(base + "/admin/kb/entry/?q=rate-limit-429")
        page.get_by_role("link", name="I am receiving a 429").first.click()
        page.locator("#symptom-proposals").wait_for()
        page.screenshot(path=OUT / "admin-entry-review.png")
        print("docs/screenshots/admin-entry-review.png")
        browser.close()


if __name__ == "__main__":
    main()
