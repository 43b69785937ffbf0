"""The search page, its HTMX fragment and the JSON API."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import search
from kb.models import Entry
from tests.html import find, find_all, parse
from tests.htmx import HtmxClient


def test_the_page_shows_ranked_results_without_javascript(client, indexed_faq):
    response = client.get("/search/", {"q": "invalid_grant"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    first = find_all(html, "a", "result-link")[0]
    assert first.attrs["href"].startswith("/faq/refresh-token-invalid/")
    assert "OAuth 2.0 Authentication" in html
    # The answer never says invalid_grant: its first sentence, with nothing marked.
    snippet = find_all(html, "p", "result-snippet")[0]
    assert snippet.text.startswith("There are a number of reasons why this might be the case")
    assert snippet.marked == []
    assert 'value="invalid_grant"' in html, "the box keeps the query"


def test_an_empty_search_shows_the_categories_and_the_contact(client, indexed_faq):
    html = client.get("/search/").content.decode()
    assert "Search the knowledge base" in html
    assert 'href="/c/oauth/"' in html
    assert "mailto:apisupport@procore.com" in html


def test_a_fruitless_search_shows_the_categories_and_the_contact(client, indexed_faq):
    html = client.get("/search/", {"q": "xyzzy plugh"}).content.decode()
    assert "No results for" in html
    assert 'href="/c/oauth/"' in html
    assert "mailto:apisupport@procore.com" in html


def test_a_typo_offers_the_suggestion_as_a_link(client, indexed_faq):
    html = client.get("/search/", {"q": "refesh token"}).content.decode()
    assert 'Did you mean <a href="/search/?q=refresh%20token">refresh token</a>?' in html
    html = client.get("/search/", {"q": "refesh tokn"}).content.decode()
    assert 'Showing results for <a href="/search/?q=refresh%20token">refresh token</a>' in html


def test_htmx_gets_only_the_results_fragment(indexed_faq):
    client = HtmxClient()
    response = client.get("/search/", {"q": "429"}, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<header" not in html
    assert 'class="search-results"' in html
    assert 'href="/faq/rate-limit-429/' in html
    assert "<title>429 · Search" in html
    assert "HX-Request" in response["Vary"]


def test_the_search_box_searches_as_you_type(client, indexed_faq):
    html = client.get("/").content.decode()
    # POST, so that a pasted response travels in the body, never in a URL (see test_secrets).
    assert 'hx-post="/search/"' in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert 'hx-push-url="true"' in html
    assert 'action="/search/" method="post"' in html, "and still works as a plain form"


def test_the_api_answers_with_ranked_json(client, indexed_faq):
    response = client.get("/api/search", {"q": "Missing Procore-Company-Id header!"})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "Missing Procore-Company-Id header!"
    assert data["total"] >= 1
    assert data["suggestion"] is None
    first = data["results"][0]
    assert set(first) == {"slug", "question", "category", "url", "score", "snippet"}
    assert first["slug"] == "mpz-company-id-query-parameter"
    assert first["url"] == "http://testserver/faq/mpz-company-id-query-parameter/"
    assert first["category"] == "Multiple Procore Zones (MPZ)"
    assert first["score"] > 0


def test_the_api_limits_results(client, indexed_faq):
    token = client.get("/api/search", {"q": "token"}).json()
    assert len(token["results"]) == token["total"] == 10
    assert len(client.get("/api/search", {"q": "token", "limit": 2}).json()["results"]) == 2
    many = "token api procore error request access app cors sandbox json support"
    assert len(client.get("/api/search", {"q": many}).json()["results"]) == 10
    capped = client.get("/api/search", {"q": many, "limit": 500}).json()
    assert len(capped["results"]) == min(capped["total"], 50) > 10


def test_an_empty_query_gives_an_empty_list(client, indexed_faq):
    data = client.get("/api/search", {"q": "  "}).json()
    assert data["results"] == [] and data["total"] == 0


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5", "", "1e3"])
def test_a_limit_that_is_not_a_positive_number_is_refused(client, indexed_faq, limit):
    response = client.get("/api/search?q=429&limit=" + limit)
    if limit == "":
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.json() == {"error": "limit must be a positive whole number"}


def test_drafts_are_not_in_the_api(client, indexed_faq, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = Entry.objects.get(slug="rate-limit-429")
        entry.status = Entry.Status.DRAFT
        entry.save()
    slugs = [r["slug"] for r in client.get("/api/search", {"q": "429"}).json()["results"]]
    assert "rate-limit-429" not in slugs


def test_the_api_refuses_posts(client, indexed_faq):
    assert client.post("/api/search", {"q": "429"}).status_code == 405


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=st.text(max_size=300) | st.from_regex(r"[\w\s\"'*:()\[\]{}~^!?+-]{0,80}"))
def test_no_string_causes_a_server_error(client, indexed_faq, query):
    query = query.replace("\x00", "")  # the test client cannot send a NUL; the server can
    page = client.get("/search/", {"q": query})
    api = client.get("/api/search", {"q": query, "limit": "5"})
    assert page.status_code == 200
    assert api.status_code == 200
    assert len(api.json()["results"]) <= 5


def test_a_nul_byte_in_the_query_string_is_harmless(client, indexed_faq):
    assert client.get("/search/?q=rate%00limit").status_code == 200
    assert client.get("/api/search?q=%00%00").status_code == 200


def test_a_page_search_is_recorded_for_the_insights(client, indexed_faq):
    from kb.models import SearchRecord

    html = client.get("/search/", {"q": "  Invalid_Grant "}).content.decode()
    record = SearchRecord.objects.get()
    assert (record.query, record.opened) == ("invalid_grant", False)
    assert record.results == search.search("invalid_grant").total > 0
    first = parse(html).find("a", cls="result-link").attrs["href"]
    # The link names the search by a reference signed for this entry, not by its bare id.
    assert first.startswith("/faq/refresh-token-invalid/?sq=")
    assert first != f"/faq/refresh-token-invalid/?sq={record.pk}"
    client.get(first)
    record.refresh_from_db()
    assert record.opened


def test_searching_as_you_type_keeps_one_record_per_search(indexed_faq, time_machine):
    from kb.models import SearchRecord

    time_machine.move_to("2026-03-02 10:00:00Z", tick=False)
    client = HtmxClient()
    first = client.get("/search/", {"q": "refr"}, htmx=True)
    SearchRecord.objects.get()
    refines = parse(first.content).find("input", id="search-refines").attrs["value"]
    second = client.get("/search/", {"q": "refresh token", "refines": refines}, htmx=True)
    assert second["HX-Push-Url"] == "/search/?q=refresh%20token"
    assert list(SearchRecord.objects.values_list("query", flat=True)) == ["refresh token"]
    # Read for a while, then a search about something else: a new record.
    time_machine.move_to("2026-03-02 10:00:30Z", tick=False)
    client.get("/search/", {"q": "cors", "refines": refines}, htmx=True)
    assert SearchRecord.objects.count() == 2, "a different search is a new record"


def test_text_typed_on_the_way_to_a_search_is_never_stored(indexed_faq, time_machine):
    from kb.models import SearchRecord

    time_machine.move_to("2026-03-02 10:00:00Z", tick=False)
    client = HtmxClient()
    first = client.get("/search/", {"q": "x"}, htmx=True)
    refines = parse(first.content).find("input", id="search-refines").attrs["value"]
    time_machine.move_to("2026-03-02 10:00:01Z", tick=False)  # still typing
    client.get("/search/", {"q": "token calc", "refines": refines}, htmx=True)
    assert list(SearchRecord.objects.values_list("query", flat=True)) == ["token calc"]


def test_the_live_search_submitted_or_reloaded_is_one_record(indexed_faq):
    from kb.models import SearchRecord

    client = HtmxClient()
    client.get("/search/", {"q": "refresh token"}, htmx=True)  # as it was typed
    client.post("/search/", {"q": "refresh token"})  # Enter: the page itself
    client.get("/search/", {"q": "refresh token"})  # reloaded
    assert list(SearchRecord.objects.values_list("query", flat=True)) == ["refresh token"]
    client.get("/search/", {"q": "cors"})
    assert SearchRecord.objects.count() == 2


def test_an_unanswered_search_is_recorded_as_such(client, indexed_faq):
    from kb.models import SearchRecord

    client.get("/search/", {"q": "webhook payload signature verification"})
    client.get("/search/", {"q": "429 too many requests"})
    recorded = dict(SearchRecord.objects.values_list("query", "answered"))
    assert recorded == {
        "webhook payload signature verification": False,
        "429 too many requests": True,
    }


def test_a_refines_id_is_ignored_without_htmx_or_when_junk(client, indexed_faq):
    from kb.models import SearchRecord

    html = client.get("/search/", {"q": "refr"}).content
    refines = parse(html).find("input", id="search-refines").attrs["value"]
    client.get("/search/", {"q": "refresh", "refines": refines})
    HtmxClient().get("/search/", {"q": "refresh", "refines": "9" * 40}, htmx=True)
    assert SearchRecord.objects.count() == 3


def test_staff_searches_and_api_searches_are_not_recorded(staff_client, indexed_faq):
    from django.test import Client

    from kb.models import SearchRecord

    staff_client.get("/search/", {"q": "429"})
    Client().get("/api/search", {"q": "429"})
    assert SearchRecord.objects.count() == 0


def test_snippets_mark_only_the_words_searched_for(client, indexed_faq):
    html = client.get("/search/", {"q": "refresh token revoked"}).content.decode()
    snippet = find_all(html, "p", "result-snippet")[0]
    assert snippet.text == (
        "Keep in mind that if you use the Revoke Token endpoint to revoke your access token, "
        "your refresh token will also be revoked."
    )
    assert snippet.marked == ["Revoke", "Token", "revoke", "token", "refresh", "token", "revoked"]


# <q> elements: the browser adds the quotation marks.
def test_results_for_a_correction_say_so_in_the_heading(client, indexed_faq):
    html = client.get("/search/", {"q": "refesh tokn"}).content.decode()
    # How many pass the cut is the ranking's business; the heading names the correction.
    assert re.fullmatch(r"\d+ results for refresh token", find(html, "h1").text)
    assert find(html, "p", "suggestion").text == (
        "Showing results for refresh token: nothing matched refesh tokn."
    )


def test_a_search_about_something_the_faq_does_not_cover_says_nothing_matches(client, indexed_faq):
    html = client.get("/search/", {"q": "kubernetes helm chart"}).content.decode()
    assert find(html, "h1").text == "No results for kubernetes helm chart"
    assert find_all(html, "p", "suggestion") == []
    assert find_all(html, "li", "result") == []


def test_words_no_answer_has_are_named_above_the_results(client, indexed_faq):
    html = client.get("/search/", {"q": "kubernetes token"}).content.decode()
    assert find(html, "h1").text == "No answer about kubernetes token yet"
    assert find_all(html, "p", "search-note")[0].text == "No answer mentions kubernetes."


def test_a_search_with_no_answer_says_so_and_offers_support(client, indexed_faq):
    query = "webhook payload signature verification"
    page = parse(client.get("/search/", {"q": query}).content)
    assert page.find("h1").text == f"No answer about {query} yet"
    offer = page.find("a", cls="support-offer")
    assert offer.attrs["href"] == "/support/?q=webhook+payload+signature+verification"
    assert page.find("h2", cls="related-title").text == "Loosely related entries"
    assert page.find_all("a", cls="result-link"), "related entries are still listed"
    form = parse(client.get(offer.attrs["href"]).content)
    assert form.find("textarea", id="id_message").text == query


def test_a_search_with_an_answer_shows_it_as_results(client, indexed_faq):
    page = parse(client.get("/search/", {"q": "too many requests"}).content)
    assert re.fullmatch(r"\d+ results? for too many requests", page.find("h1").text)
    assert page.find("a", cls="result-link").attrs["href"].startswith("/faq/rate-limit-429/")
    assert page.find_all("h2", cls="related-title") == []
    assert page.find_all("a", cls="support-offer") == []


@pytest.mark.parametrize(
    ("query", "offered"),
    [
        ("429", ("/errors/429/", "429 Too Many Requests")),
        ("GET request returns 401", ("/errors/401/", "401 Unauthorized")),
        (
            "HTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n"
            '{"errors":"App is not connected to this company"}',
            ("/errors/403/", "403 Forbidden"),
        ),
        ("App is not connected to this company", ("/errors/403/", "403 Forbidden")),
        (
            "Missing Procore-Company-Id header!",
            (
                "/tools/error-codes/?q=Missing%20Procore-Company-Id%20header%21",
                "“Missing Procore-Company-Id header!”",
            ),
        ),
    ],
    ids=["code", "code in a sentence", "raw response", "message with a code", "message"],
)
def test_a_status_code_or_a_pasted_error_offers_the_error_code_lookup(
    client, indexed_faq, query, offered
):
    html = client.get("/search/", {"q": query}).content.decode()
    offer = find(html, "aside", "lookup-offer")
    href, text = offered
    assert offer.links[0] == {"href": href, "text": text}
    if href.startswith("/errors/"):  # the code's page first, then the lookup for a paste
        code = href.split("/")[2]
        assert offer.links[1] == {
            "href": f"/tools/error-codes/?q={code}",
            "text": "error-code lookup",
        }
    # Above the results.
    assert find(html, class_="lookup-offer").start < find(html, class_="result-list").start


@pytest.mark.parametrize("query", ["refresh token", "4290", "company 123", ""])
def test_other_searches_offer_no_lookup(client, indexed_faq, query):
    html = client.get("/search/", {"q": query}).content.decode()
    assert find_all(html, "aside", "lookup-offer") == []
