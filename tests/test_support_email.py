"""KB_SUPPORT_EMAIL: one setting, given to every page by kb.context_processors.site."""

import pytest
from django.test import RequestFactory

from kb import urls
from kb.web.errors import server_error
from tests.html import find_all

ADDRESS = "help@example.test"


@pytest.fixture
def support_address(settings):
    settings.KB_SUPPORT_EMAIL = ADDRESS
    return ADDRESS


def mail_links(html: str) -> list[str]:
    return [
        link["href"]
        for element in find_all(html, "body")
        for link in element.links
        if link["href"].startswith("mailto:")
    ]


@pytest.mark.parametrize(
    "url", ["/", "/tools/", "/faq/rate-limit-429/", "/search/?q=xyzzy", "/no-such-page/"]
)
def test_every_page_shows_the_configured_address(client, faq, support_address, url):
    html = client.get(url).content.decode()
    assert f"mailto:{ADDRESS}" in mail_links(html)
    assert "apisupport@procore.com" not in html


def test_the_footer_and_the_tools_page_use_it(client, faq, support_address):
    footer = find_all(client.get("/").content.decode(), "footer")[0]
    mail = [link for link in footer.links if link["href"].startswith("mailto:")]
    assert mail == [{"href": f"mailto:{ADDRESS}", "text": ADDRESS}]
    support = find_all(client.get("/tools/").content.decode(), "article", id="support-answer")[0]
    assert {"href": f"mailto:{ADDRESS}", "text": ADDRESS} in support.links


def test_the_server_error_page_uses_it(db, support_address):
    assert urls.handler500 == "kb.web.errors.server_error"
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert mail_links(response.content.decode()) == [f"mailto:{ADDRESS}"]


def test_the_not_found_page_asks_once(client, faq):
    html = client.get("/no-such-page/").content.decode()
    assert html.count("Still stuck?") == 1


def test_the_support_hours_come_from_the_calculators_values(client, faq, monkeypatch):
    from kb.tools import schedules

    assert schedules.SUPPORT_HOURS == "Monday to Friday, 8am to 5pm Pacific Time"
    monkeypatch.setattr(schedules, "SUPPORT_HOURS", "Every day, all day")
    for url in ["/", "/support/"]:
        html = client.get(url).content.decode()
        assert "Every day, all day" in html
        assert "8am to 5pm" not in html
