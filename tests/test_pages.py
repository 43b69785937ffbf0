import re

import pytest

from kb.models import Entry
from tests.factories import make_entry
from tests.html import find_all


def test_home_leads_to_every_category_and_question(client, faq):
    # Each topic lists its first questions and links to the rest (tests/test_home.py).
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html
    home_links = {link["href"] for a in find_all(html, "main") for link in a.links}
    reachable = set(home_links)
    for href in home_links:
        if href.startswith("/c/"):
            page = client.get(href).content.decode()
            reachable |= {link["href"] for m in find_all(page, "main") for link in m.links}
    for entry in Entry.objects.published().select_related("category"):
        assert entry.category.get_absolute_url() in home_links
        assert entry.get_absolute_url() in reachable


def test_every_entry_is_served_at_its_permalink_with_its_answer(client, faq):
    for entry in Entry.objects.all():
        response = client.get(f"/faq/{entry.slug}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert entry.answer_html in html, entry.slug


def test_the_entry_page_has_title_breadcrumb_related_and_date(client, faq):
    html = client.get("/faq/rate-limit-429/").content.decode()
    assert re.search(r"<title>I am receiving a 429 status code error.*</title>", html)
    assert '<meta name="description" content="You have exceeded the Procore API rate limit' in html
    assert 'aria-label="Breadcrumb"' in html and 'href="/c/rate-limit/"' in html
    assert "<time datetime=" in html

    oauth = client.get("/faq/access-token-lifetime/").content.decode()
    assert "More in OAuth 2.0 Authentication" in oauth
    assert 'href="/faq/refresh-token-lifetime/"' in oauth


def test_the_category_page_lists_its_entries(client, faq):
    response = client.get("/c/cors/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Cross-Origin Resource Sharing (CORS)" in html
    assert html.count('href="/faq/cors-') >= 3
    assert "/faq/rate-limit-429/" not in html


def test_a_draft_is_not_public(client, faq):
    make_entry(slug="secret-draft", question="Secret?", status=Entry.Status.DRAFT)
    assert client.get("/faq/secret-draft/").status_code == 404
    assert "Secret?" not in client.get("/").content.decode()
    assert "Secret?" not in client.get("/c/general/").content.decode()


def test_staff_see_a_draft_with_a_banner(staff_client, faq):
    make_entry(slug="secret-draft", question="Secret?", status=Entry.Status.DRAFT)
    response = staff_client.get("/faq/secret-draft/")
    assert response.status_code == 200
    assert "Only staff can see this entry" in response.content.decode()


def test_an_unknown_entry_gets_the_helpful_404(client, faq):
    response = client.get("/faq/no-such-entry/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn’t find that page" in html
    assert 'action="/search/"' in html
    assert 'href="/c/oauth/"' in html


def test_an_empty_category_is_not_found(client, faq):
    from tests.factories import make_category

    make_category(name="Empty", slug="empty")
    assert client.get("/c/empty/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/c/%00/",
        "/faq/%E2%80%A8/",
        "/faq/" + "a" * 5000 + "/",
        "/faq/rate-limit-429",
        "/c/",
        "/faq/../../etc/passwd",
        "/admin/../healthz",
        "/%ff",
    ],
)
def test_odd_urls_never_give_a_server_error(client, faq, url):
    assert client.get(url).status_code < 500


def test_pages_refuse_posts(client, faq):
    assert client.post("/faq/rate-limit-429/").status_code == 405


def test_healthz_answers_when_the_database_is_reachable(client, indexed_faq):
    response = client.get("/healthz")
    assert response.status_code == 200
    health = response.json()
    assert (health["status"], health["database"], health["index"]) == ("ok", "ok", "current")
    assert health["changes"]["applied"] == health["changes"]["latest"]


def test_pages_work_without_javascript(client, faq):
    # Every link and form is plain HTML: the answer is in the first response.
    html = client.get("/faq/refresh-token-invalid/").content.decode()
    assert "<table>" in html
    assert "refresh tokens are for one-time use only" in html


def test_the_favicon_address_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")


def test_the_429_answer_links_to_the_rate_limiting_guide(client, faq):
    answer = find_all(client.get("/faq/rate-limit-429/").content.decode(), "div", "answer")[0]
    assert {
        "href": "https://developers.procore.com/documentation/rate-limiting",
        "text": "Rate Limiting guide",
    } in answer.links
