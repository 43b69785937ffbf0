"""Insights that a visitor cannot forge: every reference to a search record that passes through
a browser is signed, and a bad one is ignored without a word (issue 10)."""

from django.test import Client

from kb.insights.search_log import LAST_SEARCH_COOKIE, result_token
from kb.models import SearchRecord
from tests.factories import make_entry, make_search
from tests.html import parse
from tests.htmx import HtmxClient


def result_links(response) -> list[str]:
    return [a.attrs["href"] for a in parse(response.content).find_all("a", cls="result-link")]


def test_another_visitor_cannot_rewrite_a_search_by_its_id(indexed_faq):
    HtmxClient().get("/search/", {"q": "refresh"}, htmx=True)
    theirs = SearchRecord.objects.get()

    attacker = HtmxClient()
    response = attacker.get("/search/", {"q": "refresh token", "refines": theirs.pk}, htmx=True)

    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.query == "refresh"
    assert SearchRecord.objects.count() == 2


def test_a_tampered_refines_reference_is_ignored(indexed_faq):
    client = HtmxClient()
    first = client.get("/search/", {"q": "refresh"}, htmx=True)
    refines = parse(first.content).find("input", id="search-refines").attrs["value"]
    other = make_search("refresh")
    forged = refines.replace(refines.split(":")[0], str(other.pk), 1)

    response = client.get("/search/", {"q": "refresh tok", "refines": forged}, htmx=True)
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.query == "refresh"
    assert SearchRecord.objects.filter(query="refresh tok").count() == 1


def test_a_bare_search_id_does_not_mark_a_search_opened(client, db):
    make_entry(slug="rate-limit")
    record = make_search("429")

    response = client.get("/faq/rate-limit/", {"sq": record.pk})

    assert response.status_code == 200
    record.refresh_from_db()
    assert not record.opened


def test_a_result_link_marks_its_own_search_opened(client, indexed_faq):
    links = result_links(client.get("/search/", {"q": "invalid_grant"}))
    assert client.get(links[0]).status_code == 200
    record = SearchRecord.objects.get()
    assert (record.opened, record.opened_entry.slug, record.opened_rank) == (
        True,
        "refresh-token-invalid",
        1,
    )


def test_a_result_reference_is_worth_nothing_on_another_entry(client, db):
    make_entry(slug="rate-limit")
    make_entry(slug="cors", question="CORS?")
    record = make_search("429")

    token = result_token(record.pk, 1, "rate-limit")
    assert client.get("/faq/cors/", {"sq": token}).status_code == 200

    record.refresh_from_db()
    assert not record.opened


def test_a_tampered_result_reference_is_ignored(client, db):
    make_entry(slug="rate-limit")
    mine, theirs = make_search("429"), make_search("cors")
    token = result_token(mine.pk, 1, "rate-limit")
    tampered = [
        token.replace(f"{mine.pk}.", f"{theirs.pk}.", 1),  # another record, same signature
        token.replace(f"{mine.pk}.1", f"{mine.pk}.2", 1),  # another place
        token[:-2],
        token + "x",
        "x" * 5000,
    ]
    for sq in tampered:
        assert client.get("/faq/rate-limit/", {"sq": sq}).status_code == 200
    assert not SearchRecord.objects.filter(opened=True).exists()


def test_a_forged_last_search_cookie_is_ignored(indexed_faq):
    fruitless = make_search("xyzzy plugh", results=0)
    browser = Client()
    browser.cookies[LAST_SEARCH_COOKIE] = str(fruitless.pk)

    browser.get("/search/", {"q": "invalid_grant"})
    support = browser.get("/support/")

    assert SearchRecord.objects.get(query="invalid_grant").follows is None
    assert "xyzzy" not in support.content.decode()


def test_the_last_search_cookie_is_signed_and_kept_from_scripts(client, indexed_faq):
    response = client.get("/search/", {"q": "invalid_grant"})
    cookie = response.cookies[LAST_SEARCH_COOKIE]
    record = SearchRecord.objects.get()
    assert cookie.value != str(record.pk)
    assert cookie.value.startswith(f"{record.pk}:")
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
