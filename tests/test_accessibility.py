"""axe-core (bundled by axe-playwright-python) on every public page type, in both themes."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from kb import search
from kb.models import Entry

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "category": "/c/oauth/",
    "entry": "/faq/refresh-token-invalid/",
    # Shell and Python samples, highlighted, and the sidebar's links to the error pages.
    "entry with code samples": "/faq/rate-limit-429/",
    "search results": "/search/?q=invalid_grant",
    "empty search": "/search/",
    "fruitless search": "/search/?q=xyzzy",
    "not found": "/faq/no-such-entry/",
    "tools": "/tools/",
    "token expiry": "/tools/token-expiry/?issued_at=2026-01-01T00:00:00Z",
    "error codes": "/tools/error-codes/?q=429",
    "error page": "/errors/429/",
    "every error code": "/errors/",
    "unknown error code": "/errors/418/",
    "contact support": "/support/?entry=rate-limit-429",
}
SERIOUS = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.fixture
def live_site(live_faq):
    search.rebuild()
    return live_faq


# The browser logs the 404 status of the page itself as a console error.
NOT_FOUND = pytest.mark.expected_console_error(r"status of 404 \(Not Found\)")
NOT_FOUND_PAGES = ("not found", "unknown error code")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=NOT_FOUND) if n in NOT_FOUND_PAGES else n for n in PAGES],
)
def test_no_page_has_serious_accessibility_violations(make_page, live_site, name, scheme):
    page = make_page(color_scheme=scheme)
    page.goto(live_site + PAGES[name])
    assert serious_violations(page) == []


def test_the_live_results_have_no_serious_violations(make_page, live_site):
    page = make_page()
    page.goto(live_site + "/")
    page.get_by_role("searchbox", name="Search the knowledge base").press_sequentially("429")
    page.locator(".result-link").first.wait_for()
    assert serious_violations(page) == []


def test_a_draft_page_for_staff_has_no_serious_violations(make_page, live_site, django_user_model):
    Entry.objects.filter(slug="what-is-json").update(status=Entry.Status.DRAFT)
    from django.contrib.auth.models import Permission

    engineer = django_user_model.objects.create_user(
        "engineer", password="a-long-test-password", is_staff=True
    )
    # Drafts show to staff allowed to view entries (test_admin_permissions.py).
    engineer.user_permissions.add(Permission.objects.get(codename="view_entry"))
    page = make_page()
    page.goto(live_site + "/admin/login/?next=/faq/what-is-json/")
    page.get_by_label("Username").fill("engineer")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Only staff can see this entry").wait_for()
    assert serious_violations(page) == []
