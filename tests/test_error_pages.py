"""The error codes' own pages: /errors/<code>/, /errors/, /errors.json, their Markdown twins,
their place in the sitemap and the links that lead to them."""

import json
import re
from html import unescape

import pytest
from django.test import Client

from kb.models import Entry, ErrorCode, KnownErrorMessage
from tests.factories import make_error_code, make_known_message
from tests.html import parse, parse_page

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CODE_KEYS = {
    "code",
    "name",
    "meaning",
    "causes",
    "fixes",
    "retry",
    "entries",
    "url",
    "markdown_url",
    "messages",
    "updated",
}


def json_ld(html: str) -> dict:
    [script] = parse_page(html).json_ld
    return json.loads(script)


def head_link(html: str, rel: str, type: str | None = None) -> dict:
    [link] = [
        link
        for link in parse_page(html).head_links
        if link.get("rel") == rel and (type is None or link.get("type") == type)
    ]
    return link


def main_links(html: str) -> list[tuple[str, str]]:
    """The links of <main>: not the header, the footer nor the palette's destinations."""
    return parse_page(parse(html).find("main").markup).links


# /errors/<code>/


def test_every_error_code_has_a_page_of_its_own(client, faq):
    codes = list(ErrorCode.objects.all())
    assert len(codes) == 11
    for code in codes:
        assert code.get_absolute_url() == f"/errors/{code.code}/"
        response = client.get(f"/errors/{code.code}/")
        assert response.status_code == 200, code
        html = response.content.decode()
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert title.startswith(f"{code.code} {code.name}")
        h1 = re.search(r"<h1>(.*?)</h1>", html, re.DOTALL).group(1)
        assert re.sub(r"<[^>]+>", "", h1) == f"{code.code} {code.name}"
        assert head_link(html, "canonical")["href"] == f"http://testserver/errors/{code.code}/"
        twin = head_link(html, "alternate", "text/markdown")
        assert twin["href"] == f"/errors/{code.code}.md"
        description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
        assert unescape(description).startswith(code.meaning[:40])


def test_the_page_says_what_the_code_means_how_to_fix_it_and_whether_to_retry(client, faq):
    html = client.get("/errors/429/").content.decode()
    code = ErrorCode.objects.get(code=429)
    assert code.meaning in html
    assert '<h2 id="causes-title">Common causes</h2>' in html
    for line in code.cause_list + code.fix_list:
        assert f"<li>{line}</li>" in html
    assert "<strong>Retry only after waiting.</strong>" in html
    links = main_links(html)
    assert ("/faq/rate-limit-429/", code.entries.get(slug="rate-limit-429").question) in links
    assert ("/tools/error-codes/?q=429", "Paste the whole response into the error-code lookup") in (
        links
    )
    # The message the API sends with a 429, leading to the entry that explains it.
    assert "<code>You have surpassed the max number of requests for an hour." in html


def test_the_page_describes_itself_as_an_article_about_a_defined_term(client, faq):
    data = json_ld(client.get("/errors/403/").content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "TechArticle"
    assert data["headline"] == "403 Forbidden"
    assert data["url"] == "http://testserver/errors/403/"
    assert data["about"]["@type"] == "DefinedTerm"
    assert data["about"]["termCode"] == "403"
    assert data["about"]["inDefinedTermSet"] == "http://testserver/errors/"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["dateModified"])


def test_the_page_links_only_published_entries(client, faq):
    Entry.objects.filter(slug="rate-limit-429").update(status=Entry.Status.DRAFT)
    html = client.get("/errors/429/").content.decode()
    assert "/faq/rate-limit-429/" not in html
    assert "/faq/webhooks-change-notifications/" in html


@pytest.mark.parametrize("path", ["/errors/418/", "/errors/999/", "/errors/abc/", "/errors/4290/"])
def test_a_code_without_a_page_is_not_found_and_points_to_every_code(client, faq, path):
    response = client.get(path)
    assert response.status_code == 404
    assert not response.has_header("ETag")
    links = main_links(response.content.decode())
    assert ("/errors/", "Every error code it does document") in links


def test_an_unknown_status_code_offers_the_nearest_ones_and_a_search(client, faq):
    response = client.get("/errors/418/")
    html = response.content.decode()
    assert "418 is not a status code the Procore API documents" in html
    links = dict(main_links(html))
    assert links["/errors/422/"] == "422 Unprocessable Entity"
    assert links["/errors/409/"] == "409 Conflict"
    assert links["/search/?q=418"] == "Search the knowledge base for “418”"


def test_a_path_that_is_not_a_code_is_shown_as_text(client, faq):
    html = client.get("/errors/%3Cscript%3Ex/").content.decode()
    assert "<script>x" not in html
    assert "is not an HTTP status code" in html


def test_a_newly_documented_code_gets_its_page_at_once(client, faq):
    assert client.get("/errors/418/").status_code == 404
    make_error_code(code=418)
    assert client.get("/errors/418/").status_code == 200


# /errors/


def test_the_index_lists_every_code_and_every_known_message(client, faq):
    response = client.get("/errors/")
    assert response.status_code == 200
    html = response.content.decode()
    links = main_links(html)
    for code in ErrorCode.objects.all():
        assert (f"/errors/{code.code}/", f"{code.code} {code.name}") in links
    for message in KnownErrorMessage.objects.all():
        assert f"<code>{message.text}</code>" in html
    assert ("/errors.json", "errors.json") in links
    assert head_link(html, "canonical")["href"] == "http://testserver/errors/"


def test_known_messages_lead_to_their_codes_page_or_their_entries(client, faq):
    html = client.get("/errors/").content.decode()
    items = {
        re.search(r"<code>(.*?)</code>", item).group(1): parse_page(item).links
        for item in re.findall(r"<li><code>.*?</li>", html)
    }
    assert ("/errors/403/", "403 Forbidden") in items["App is not connected to this company"]
    # No status code comes with this one: it leads to the entry that explains it.
    [(href, _)] = items["Missing Procore-Company-Id header!"]
    assert href == "/faq/mpz-company-id-query-parameter/"


def test_the_index_describes_the_set_of_codes(client, faq):
    data = json_ld(client.get("/errors/").content.decode())
    assert data["@type"] == "DefinedTermSet"
    assert [term["termCode"] for term in data["hasDefinedTerm"]] == [
        str(code) for code in ErrorCode.objects.values_list("code", flat=True)
    ]


# /errors.json


def test_errors_json_has_the_documented_shape(client, faq):
    response = client.get("/errors.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    assert set(document) == {"version", "name", "url", "html_url", "codes", "messages"}
    assert document["version"] == 1
    assert document["url"] == "http://testserver/errors.json"
    assert document["html_url"] == "http://testserver/errors/"

    assert [code["code"] for code in document["codes"]] == list(
        ErrorCode.objects.values_list("code", flat=True)
    )
    for code in document["codes"]:
        assert set(code) == CODE_KEYS
        assert set(code["retry"]) == {"safe", "summary", "guidance"}
        assert code["url"] == f"http://testserver/errors/{code['code']}/"
        assert code["markdown_url"] == f"http://testserver/errors/{code['code']}.md"
        assert all(url.startswith("http://testserver/faq/") for url in code["entries"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", code["updated"])

    rate_limit = next(code for code in document["codes"] if code["code"] == 429)
    assert rate_limit["retry"]["safe"] == "after-wait"
    assert rate_limit["messages"] == [
        "You have surpassed the max number of requests for an hour. Please wait until your "
        "limit resets."
    ]
    messages = {message["text"]: message for message in document["messages"]}
    assert len(messages) == KnownErrorMessage.objects.count()
    assert messages["App is not connected to this company"] == {
        "text": "App is not connected to this company",
        "code": 403,
        "code_url": "http://testserver/errors/403/",
        "meaning": KnownErrorMessage.objects.get(
            text="App is not connected to this company"
        ).meaning,
        "entries": ["http://testserver/faq/app-not-connected-403/"],
    }
    # invalid_grant comes with a 400 (RFC 6749, section 5.2).
    assert messages["invalid_grant"]["code"] == 400
    assert messages["invalid_grant"]["code_url"] == "http://testserver/errors/400/"


def test_each_code_in_errors_json_is_what_the_api_says_of_it(client, faq):
    document = client.get("/errors.json").json()
    for code in document["codes"]:
        api = client.get(f"/api/error-codes/{code['code']}").json()
        assert {key: code[key] for key in api} == api


def test_errors_json_leaves_out_draft_entries(client, faq):
    Entry.objects.filter(slug="app-not-connected-403").update(status=Entry.Status.DRAFT)
    body = client.get("/errors.json").content.decode()
    assert "app-not-connected-403" not in body


def test_the_error_index_links_errors_json_from_its_page_and_the_footer(client, faq):
    html = client.get("/errors/").content.decode()
    assert "/errors.json" in [link["href"] for link in parse(html).find("footer").links]


# Sitemap


def test_the_sitemap_lists_the_index_and_every_error_page(client, faq):
    from tests.test_discovery import sitemap_locations

    locations = sitemap_locations(client)
    assert "http://testserver/errors/" in locations
    for code in ErrorCode.objects.all():
        url = f"http://testserver/errors/{code.code}/"
        assert locations[url] == code.updated.date().isoformat()


# The lookup and the API lead there


def test_the_lookup_links_each_code_it_explains_to_its_page(client, faq):
    html = client.post("/tools/error-codes/", {"q": "App is not connected to this company"})
    links = main_links(html.content.decode())
    assert ("/errors/403/", "403 Forbidden") in links  # "It comes with 403 Forbidden"
    assert ("/errors/403/", "The page for 403 Forbidden") in links


def test_the_api_gives_the_page_as_the_codes_url(client, faq):
    assert client.get("/api/error-codes/401").json()["url"] == "http://testserver/errors/401/"


# The same for everybody, cached and revalidated


ERROR_URLS = ["/errors/", "/errors/429/", "/errors.json", "/errors.md", "/errors/429.md"]


@pytest.mark.parametrize("url", ERROR_URLS)
def test_error_documents_answer_a_conditional_request_with_304(client, faq, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    etag = response["ETag"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    code = ErrorCode.objects.get(code=429)
    code.meaning = "Too many requests in this window: wait until it resets."
    code.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize("url", ["/errors/", "/errors/429/", "/errors/418/"])
def test_error_pages_are_the_same_for_every_visitor_and_set_no_cookie(staff_client, faq, url):
    anonymous = Client().get(url)
    assert not anonymous.cookies
    assert "csrfmiddlewaretoken" not in anonymous.content.decode()
    assert "X-CSRFToken" not in anonymous.content.decode()
    assert "Cookie" not in anonymous.get("Vary", "")
    assert staff_client.get(url).content == anonymous.content


def test_the_pages_accept_head_and_refuse_post(client, faq):
    assert client.head("/errors/429/").status_code == 200
    assert client.post("/errors/429/").status_code == 405
    assert client.post("/errors.json").status_code == 405


# Markdown twins of the error pages


def test_an_error_page_has_a_markdown_twin(client, faq):
    response = client.get("/errors/401.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Link"] == '<http://testserver/errors/401/>; rel="canonical"'
    text = response.content.decode()
    assert text.startswith("# 401 Unauthorized\n\n")
    assert "## Common causes\n\n- " in text
    # Plain text stays text: "<access token>" is not an HTML tag in Markdown.
    assert "- Send the header as Authorization: Bearer \\<access token\\>" in text
    assert "## Is a retry safe?\n\n**Not unchanged: fix the cause first.** " in text
    assert "- `invalid_token`" in text
    assert "(http://testserver/faq/access-token-not-working.md)" in text
    # Every link in the twin is absolute.
    assert re.findall(r"\]\((?!https?://)", text) == []


def test_the_error_page_url_serves_the_twin_to_a_request_that_prefers_markdown(client, faq):
    twin = client.get("/errors/429/", HTTP_ACCEPT="text/markdown")
    assert twin["Content-Type"] == "text/markdown; charset=utf-8"
    assert twin.content == client.get("/errors/429.md").content
    assert "Accept" in twin["Vary"]
    page = client.get("/errors/429/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert page["Content-Type"].startswith("text/html")
    assert "Accept" in page["Vary"]
    assert page["ETag"] != twin["ETag"]


def test_the_index_twin_lists_every_code_and_message(client, faq):
    text = client.get("/errors.md").content.decode()
    for code in ErrorCode.objects.all():
        assert f"- [{code.code} {code.name}](http://testserver/errors/{code.code}.md): " in text
    assert (
        "- `App is not connected to this company`: [403 Forbidden](http://testserver/errors/403.md)"
    ) in text


@pytest.mark.parametrize("path", ["/errors/418.md", "/errors/abc.md"])
def test_the_twin_of_an_unknown_code_is_not_found_and_points_to_every_code(client, faq, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "<http://testserver/errors/>" in response.content.decode()
    assert not response.has_header("ETag")


def test_a_message_with_backticks_stays_one_code_span(client, db):
    code = make_error_code(code=418)
    make_known_message(text="Use `tea` not coffee", error_code=code)
    text = client.get("/errors/418.md").content.decode()
    assert "- ``Use `tea` not coffee``" in text


@pytest.mark.parametrize("url", ["/errors/", "/errors/429/", "/errors.json", "/errors.md"])
def test_error_documents_take_a_few_queries_however_many_codes(
    client, faq, django_assert_max_num_queries, url
):
    # A few queries, and one more for the content version the page cache is keyed by.
    with django_assert_max_num_queries(7):
        assert client.get(url).status_code == 200
