import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_reader_opens_the_home_page_then_a_category_then_an_entry(page, live_faq):
    page.goto(live_faq + "/")
    expect(page).to_have_title(re.compile("Procore API developer FAQ"))
    expect(page.get_by_role("searchbox", name="Search the knowledge base")).to_be_visible()

    page.get_by_role("link", name="OAuth 2.0 Authentication").first.click()
    expect(page).to_have_url(live_faq + "/c/oauth/")
    expect(page.get_by_role("heading", level=1)).to_have_text("OAuth 2.0 Authentication")

    page.get_by_role("link", name="My refresh token is not working").first.click()
    expect(page).to_have_url(live_faq + "/faq/refresh-token-invalid/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My refresh token is not working")
    expect(page.get_by_role("cell", name="Refresh Token Revoked")).to_be_visible()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("OAuth 2.0")
