"""Public pages served from the server's page cache, with headers shared caches can use, and
pages that stay small as the FAQ grows (kb/content/caching.py, kb/content/versions.py)."""

import json

import pytest
from django.test import Client

from kb.content.versions import current_version
from kb.models import Category, Entry
from tests.factories import (
    make_category,
    make_entries,
    make_entry,
    make_error_code,
    save_in_admin,
)
from tests.html import parse, parse_page

PUBLIC_PAGES = [
    "/",
    "/c/oauth/",
    "/faq/rate-limit-429/",
    "/errors/",
    "/errors/429/",
    "/llms.txt",
    "/sitemap.xml",
    "/feed.atom",
    "/tools/token-expiry/",
    "/tools/error-codes/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_an_anonymous_page_sets_no_cookie_and_may_be_kept_by_shared_caches(faq, url):
    response = Client().get(url)
    assert response.status_code == 200
    assert not response.cookies
    assert not response.has_header("Set-Cookie")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "public" in cache_control
    assert {"private", "no-cache", "no-store"}.isdisjoint(cache_control)
    assert any(part.startswith("max-age=") for part in cache_control)
    assert any(part.startswith("stale-while-revalidate=") for part in cache_control)
    assert response["ETag"].startswith('W/"')
    assert "Cookie" not in response.get("Vary", "")


def test_a_kept_page_is_served_with_one_query(faq, django_assert_num_queries):
    first = Client().get("/faq/rate-limit-429/")
    with django_assert_num_queries(1):  # the content version
        again = Client().get("/faq/rate-limit-429/")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


def test_an_edit_in_the_admin_shows_at_once_on_the_next_anonymous_visit(faq, staff_client):
    reader = Client()
    assert "Brand-new advice" not in reader.get("/faq/rate-limit-429/").content.decode()
    assert "Brand-new advice" not in reader.get("/c/rate-limit/").content.decode()
    before = current_version()

    entry = Entry.objects.get(slug="rate-limit-429")
    save_in_admin(staff_client, entry, question="Brand-new advice: why a 429?")

    assert current_version() != before
    assert "Brand-new advice" in reader.get("/faq/rate-limit-429/").content.decode()
    assert "Brand-new advice" in reader.get("/c/rate-limit/").content.decode()
    assert "Brand-new advice" in reader.get("/").content.decode()


def test_an_error_code_edit_shows_at_once_on_its_page(db):
    code = make_error_code(code=418)
    reader = Client()
    assert "Refuses politely" not in reader.get("/errors/418/").content.decode()
    code.meaning = "Refuses politely."
    code.save()
    assert "Refuses politely" in reader.get("/errors/418/").content.decode()


def test_a_staff_page_is_never_taken_from_the_cache(faq, staff_client):
    oauth = Category.objects.get(slug="oauth")
    assert Client().get("/c/oauth/").status_code == 200  # the public page, now kept
    # A draft added without changing the content version: only a fresh render shows it.
    make_entries(1, oauth, status=Entry.Status.DRAFT)

    response = staff_client.get("/c/oauth/")
    assert "Generated question 0001?" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert not response.has_header("ETag")


def test_a_staff_page_is_never_put_into_the_cache(faq, staff_client):
    oauth = Category.objects.get(slug="oauth")
    make_entries(1, oauth, status=Entry.Status.DRAFT)
    assert "Generated question 0001?" in staff_client.get("/c/oauth/").content.decode()

    response = Client().get("/c/oauth/")
    assert "Generated question 0001?" not in response.content.decode()
    assert "public" in response["Cache-Control"]


def test_a_page_with_a_query_it_does_not_read_is_rendered_and_kept_private(faq):
    response = Client().get("/faq/rate-limit-429/", {"anything": "else"})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert not response.has_header("ETag")


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/tools/error-codes/", {"q": "429"}),
        ("/tools/token-expiry/", {"issued_at": "2025-03-04T10:00:00Z"}),
    ],
)
def test_a_tool_answers_without_a_token_and_its_answers_are_never_stored(faq, url, data):
    client = Client(enforce_csrf_checks=True)
    for response in (client.get(url, data), client.post(url, data)):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert not response.has_header("ETag")
        assert not response.cookies


def test_a_missing_page_is_not_kept(db):
    response = Client().get("/faq/no-such-entry/")
    assert response.status_code == 404
    assert not response.has_header("ETag")
    make_entry(slug="no-such-entry", question="Now it exists?")
    assert Client().get("/faq/no-such-entry/").status_code == 200


def test_a_reader_followed_by_the_trail_cookie_gets_a_private_page(faq):
    browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"}
    response = Client().get("/faq/rate-limit-429/", headers=browser)
    assert "kb_trail" in response.cookies
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


# Pages that stay small


def rel_link(nav, rel: str):
    return next((a for a in nav.find_all("a") if a.attrs.get("rel") == rel), None)


def test_a_large_category_is_paginated_and_page_two_works_without_javascript(db, settings):
    settings.KB_CATEGORY_PAGE_SIZE = 20
    category = make_category(name="Big")
    make_entries(45, category)

    first = parse(Client().get("/c/big/").content)
    questions = [a.words for a in first.find_all("a") if a.words.startswith("Generated")]
    assert questions == [f"Generated question {n:04d}?" for n in range(1, 21)]
    nav = first.find("nav", cls="pagination")
    assert "Page 1 of 3" in nav.words
    next_link = rel_link(nav, "next")
    assert next_link.attrs["href"] == "?page=2"

    second = Client().get("/c/big/" + next_link.attrs["href"])
    assert second.status_code == 200
    page = parse(second.content)
    json_ld = parse_page(second.content.decode()).json_ld
    questions = [a.words for a in page.find_all("a") if a.words.startswith("Generated")]
    assert questions == [f"Generated question {n:04d}?" for n in range(21, 41)]
    assert rel_link(page.find("nav", cls="pagination"), "prev").attrs["href"] == "?page=1"
    # The page's structured data describes its own questions, not the whole category's.
    assert len(json.loads(json_ld[0])["mainEntity"]) == 20

    last = parse(Client().get("/c/big/?page=3").content)
    assert len([a for a in last.find_all("a") if a.words.startswith("Generated")]) == 5
    assert rel_link(last.find("nav", cls="pagination"), "next") is None


@pytest.mark.parametrize("page", ["4", "0", "abc", "-1"])
def test_a_page_past_the_end_or_not_a_number_is_not_found(db, settings, page):
    settings.KB_CATEGORY_PAGE_SIZE = 20
    make_entries(45, make_category(name="Big"))
    assert Client().get("/c/big/", {"page": page}).status_code == 404


def test_the_home_page_lists_a_few_questions_per_topic_however_large_the_faq(db):
    category = make_category(name="Big")
    make_entries(300, category)
    page = parse(Client().get("/").content)
    card = page.find("section", cls="category-card")
    assert len(card.find_all("li")) == 3
    assert "All 300 questions" in card.words


def test_related_entries_on_a_large_faq_still_find_shared_symptoms_without_reading_it_all(
    empty_db, monkeypatch, django_assert_max_num_queries
):
    from kb.editorial import related

    monkeypatch.setattr(related, "CANDIDATES", 10)
    home = make_category(name="Auth")
    here = make_entry(slug="here", category=home, symptoms="invalid_grant\nrefresh token expired")
    twin = make_entry(
        slug="twin",
        question="Twin?",
        category=make_category(name="Other", order=2),
        symptoms="invalid_grant refresh token",
    )
    make_entries(40, make_category(name="Filler", order=3))
    make_entries(3, home)

    with django_assert_max_num_queries(3):
        found = related.related_entries(here)
    assert [link.pk for link in found.related] == [twin.pk]
    assert [link.question for link in found.in_category] == [
        f"Generated question {n:04d}?" for n in range(1, 4)
    ]


def test_a_missing_page_suggests_the_categories_without_reading_the_entries(
    empty_db, django_assert_max_num_queries
):
    make_entries(200, make_category(name="Big"))
    make_entries(1, make_category(name="Drafts only", order=2), status=Entry.Status.DRAFT)
    # The content version, the entry asked for, the categories: however many entries.
    with django_assert_max_num_queries(3):
        response = Client().get("/faq/no-such-entry/")
    assert response.status_code == 404
    links = [
        a.words for a in parse(response.content).find("ul", cls="category-links").find_all("a")
    ]
    assert links == ["Big"]


def _held_pages() -> int:
    from django.core.cache import caches

    return caches["pages"].held_bytes()


def test_a_vote_value_the_page_does_not_show_is_never_kept(faq):
    kept = Client().get("/faq/rate-limit-429/", {"voted": "yes"})
    assert kept["ETag"].startswith('W/"')
    held = _held_pages()
    for number in range(30):
        response = Client().get("/faq/rate-limit-429/", {"voted": f"x{number}"})
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
    assert _held_pages() == held


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/c/oauth/", {"page": "01"}),
        ("/c/oauth/", {"page": ["1", "1"]}),
        ("/tools/token-expiry/", {"tz": "Not/A_Zone"}),
    ],
)
def test_a_parameter_in_another_spelling_is_not_a_new_entry(faq, url, data):
    response = Client().get(url, data)
    assert "public" not in response["Cache-Control"]
    assert not response.has_header("ETag")


@pytest.mark.parametrize("host", ["testserver:8443", "testserver:1", "TESTSERVER:80"])
def test_a_host_header_with_a_port_of_its_own_is_never_kept(faq, host):
    assert Client().get("/llms.txt")["ETag"].startswith('W/"')
    held = _held_pages()
    response = Client().get("/llms.txt", HTTP_HOST=host)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert _held_pages() == held


def test_the_page_cache_of_a_process_is_bounded_in_bytes():
    from kb.content.caching import PageCache

    cache = PageCache("test-bounded-pages", {"OPTIONS": {"MAX_BYTES": 10_000}})
    cache.clear()
    for number in range(40):
        cache.set(f"page-{number}", b"x" * 1000)
        if number == 20:
            assert cache.get("page-3") is None  # long gone by then
        cache.get("page-0")  # read on every visit: stays
    assert cache.held_bytes() <= 10_000
    assert cache.get("page-39") is not None
    assert cache.get("page-0") is not None
    cache.set("huge", b"x" * 20_000)
    assert cache.get("huge") is None
    assert cache.held_bytes() <= 10_000


@pytest.mark.parametrize("code", ["४२९", "٤٢٩", "４２９"])
def test_digits_of_other_scripts_are_not_status_codes(faq, code):
    assert Client().get(f"/errors/{code}/").status_code == 404
    assert Client().get(f"/api/error-codes/{code}").status_code in (400, 404)
