"""sitemap.xml, robots.txt, the Atom feed, OpenSearch, FAQPage JSON-LD and the head links."""

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.template.loader import render_to_string
from django.utils.html import escape

from kb.models import Category, Entry
from kb.pages.feeds import FEED_LENGTH
from tests.factories import make_category, make_entry
from tests.html import parse_page

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM_NS = "{http://www.w3.org/2005/Atom}"
OPENSEARCH_NS = "{http://a9.com/-/spec/opensearch/1.1/}"


def faq_page_data(html: str) -> dict:
    scripts = parse_page(html).json_ld
    assert len(scripts) == 1, scripts
    return json.loads(scripts[0])


def sitemap_locations(client, **kwargs) -> dict[str, str | None]:
    """Every URL of the sitemap, through its index, with its lastmod."""
    response = client.get("/sitemap.xml", **kwargs)
    assert response.status_code == 200
    index = ET.fromstring(response.content)
    assert index.tag == f"{SITEMAP_NS}sitemapindex"
    locations = {}
    for section in index.iter(f"{SITEMAP_NS}sitemap"):
        part = urlsplit(section.findtext(f"{SITEMAP_NS}loc"))
        response = client.get(part.path, dict(parse_qsl(part.query)), **kwargs)
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        locations.update(
            {
                url.findtext(f"{SITEMAP_NS}loc"): url.findtext(f"{SITEMAP_NS}lastmod")
                for url in root.iter(f"{SITEMAP_NS}url")
            }
        )
    return locations


# sitemap.xml


def test_it_lists_exactly_the_published_entries_in_the_sitemap(client, faq):
    make_entry(slug="secret-draft", question="Secret?", status=Entry.Status.DRAFT)
    locations = sitemap_locations(client)

    entry_urls = {url for url in locations if "/faq/" in url}
    published = Entry.objects.published()
    assert entry_urls == {f"http://testserver/faq/{entry.slug}/" for entry in published}
    assert "http://testserver/faq/secret-draft/" not in locations
    assert "http://testserver/" in locations

    entry = published.get(slug="rate-limit-429")
    assert locations["http://testserver/faq/rate-limit-429/"] == entry.updated.date().isoformat()


def test_it_lists_only_the_categories_that_have_published_entries(client, faq):
    drafts_only = make_category(name="Drafts only", slug="drafts-only", order=99)
    make_entry(slug="secret-draft", category=drafts_only, status=Entry.Status.DRAFT)
    make_category(name="Empty", slug="empty", order=100)
    locations = sitemap_locations(client)

    category_urls = {url for url in locations if "/c/" in url}
    public = Category.objects.filter(entries__status=Entry.Status.PUBLISHED).distinct()
    assert category_urls == {f"http://testserver/c/{category.slug}/" for category in public}
    assert "http://testserver/c/drafts-only/" not in locations
    assert "http://testserver/c/empty/" not in locations


def test_the_sitemap_uses_the_scheme_and_host_of_the_request(client, faq, settings):
    settings.ALLOWED_HOSTS = ["kb.example.com"]
    response = client.get("/sitemap.xml", secure=True, HTTP_HOST="kb.example.com")
    assert b"<loc>https://kb.example.com/sitemap-entries.xml</loc>" in response.content
    locations = sitemap_locations(client, secure=True, HTTP_HOST="kb.example.com")
    assert "https://kb.example.com/faq/rate-limit-429/" in locations


def test_the_sitemap_is_an_index_of_sections_and_splits_a_large_one(client, faq, monkeypatch):
    from kb.pages.sitemaps import EntrySitemap

    monkeypatch.setattr(EntrySitemap, "limit", 10)
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [section.findtext(f"{SITEMAP_NS}loc") for section in index]
    published = Entry.objects.published().count()
    entry_files = [url for url in sections if "sitemap-entries.xml" in url]
    assert len(entry_files) == -(-published // 10)
    assert entry_files[1] == "http://testserver/sitemap-entries.xml?p=2"
    for name in ("home", "categories", "errors", "error-codes"):
        assert f"http://testserver/sitemap-{name}.xml" in sections
    second = ET.fromstring(client.get("/sitemap-entries.xml", {"p": 2}).content)
    assert len(list(second.iter(f"{SITEMAP_NS}url"))) == min(10, published - 10)
    assert client.get("/sitemap-nothing.xml").status_code == 404


# robots.txt


def test_robots_txt_allows_all_but_the_admin_and_the_api_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[:4] == ["User-agent: *", "Allow: /", "Disallow: /admin/", "Disallow: /api/"]
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_robots_txt_points_to_the_https_sitemap_behind_https(client, db, settings):
    settings.ALLOWED_HOSTS = ["kb.example.com"]
    response = client.get("/robots.txt", secure=True, HTTP_HOST="kb.example.com")
    assert "Sitemap: https://kb.example.com/sitemap.xml" in response.content.decode()


# The Atom feed


def test_the_feed_is_well_formed_atom_of_the_latest_published_entries(client, faq):
    latest = Entry.objects.get(slug="cors-support")
    latest.answer += "\n\nUpdated: register every origin."
    latest.save()
    make_entry(slug="secret-draft", question="Secret?", status=Entry.Status.DRAFT)

    response = client.get("/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM_NS}feed"
    assert feed.findtext(f"{ATOM_NS}author/{ATOM_NS}name")

    entries = feed.findall(f"{ATOM_NS}entry")
    assert len(entries) == FEED_LENGTH < Entry.objects.published().count()
    titles = [entry.findtext(f"{ATOM_NS}title") for entry in entries]
    assert "Secret?" not in titles
    assert titles[0] == latest.question
    first = entries[0]
    assert first.find(f"{ATOM_NS}link").get("href") == "http://testserver/faq/cors-support/"
    assert first.findtext(f"{ATOM_NS}summary") == Entry.objects.get(pk=latest.pk).answer_html
    assert first.find(f"{ATOM_NS}category").get("term") == latest.category.name


def test_the_feed_leaves_out_an_entry_once_it_is_unpublished(client, faq):
    entry = Entry.objects.get(slug="rate-limit-429")
    entry.status = Entry.Status.DRAFT
    entry.save()  # now the most recently updated entry, but a draft
    feed = ET.fromstring(client.get("/feed.atom").content)
    links = [link.get("href") for link in feed.iter(f"{ATOM_NS}link")]
    assert "http://testserver/faq/rate-limit-429/" not in links


def test_the_feed_answers_a_conditional_request_with_304(client, faq):
    response = client.get("/feed.atom")
    again = client.get("/feed.atom", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304

    make_entry(slug="brand-new", question="Brand new?")
    changed = client.get("/feed.atom", HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200
    assert "Brand new?" in changed.content.decode()


# OpenSearch


def test_the_opensearch_description_is_well_formed_and_searches_this_site(client, db):
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{OPENSEARCH_NS}OpenSearchDescription"
    short_name = root.findtext(f"{OPENSEARCH_NS}ShortName")
    assert 0 < len(short_name) <= 16  # the spec's limit
    assert root.findtext(f"{OPENSEARCH_NS}Description")
    assert root.findtext(f"{OPENSEARCH_NS}InputEncoding") == "UTF-8"
    urls = {url.get("type"): url.get("template") for url in root.iter(f"{OPENSEARCH_NS}Url")}
    assert urls["text/html"] == "http://testserver/search/?q={searchTerms}"


# FAQPage JSON-LD


def test_the_category_page_describes_its_questions_and_answers_as_an_faq_page(client, faq):
    html = client.get("/c/oauth/").content.decode()
    data = faq_page_data(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "FAQPage"

    entries = list(Entry.objects.published().filter(category__slug="oauth"))  # page order
    assert len(entries) > 1
    assert [(q["@type"], q["name"]) for q in data["mainEntity"]] == [
        ("Question", entry.question) for entry in entries
    ]
    for question, entry in zip(data["mainEntity"], entries, strict=True):
        # What the page shows: the question, its summary and the link to the whole answer.
        assert question["acceptedAnswer"] == {"@type": "Answer", "text": entry.summary()}
        assert question["url"] == f"http://testserver/faq/{entry.slug}/"
        assert f'href="/faq/{entry.slug}/"' in html
        assert escape(entry.summary()) in html


def test_the_entry_page_describes_its_one_question_as_an_faq_page(client, faq):
    entry = Entry.objects.get(slug="refresh-token-invalid")
    html = client.get(entry.get_absolute_url()).content.decode()
    data = faq_page_data(html)
    assert data["@type"] == "FAQPage"
    [question] = data["mainEntity"]
    assert question["name"] == entry.question
    assert question["acceptedAnswer"]["text"] == entry.answer_html
    assert re.search(r"<h1>(.*?)</h1>", html).group(1) == entry.question
    assert entry.answer_html in html


def test_drafts_never_reach_the_json_ld_even_for_staff(staff_client, faq):
    oauth = Category.objects.get(slug="oauth")
    make_entry(slug="secret-draft", question="Secret?", category=oauth, status="draft")

    category_html = staff_client.get("/c/oauth/").content.decode()
    assert "Secret?" in category_html  # staff see the draft in the list…
    names = [q["name"] for q in faq_page_data(category_html)["mainEntity"]]
    assert "Secret?" not in names  # …but it is not described as a public answer
    assert len(names) == Entry.objects.published().filter(category=oauth).count()

    draft_html = staff_client.get("/faq/secret-draft/").content.decode()
    assert parse_page(draft_html).json_ld == []


def test_an_answer_cannot_break_out_of_the_json_ld_script(client, db):
    question = "Why does </script><script>alert('x')</script> & <!-- appear?"
    make_entry(slug="tricky", question=question, answer="Because `</script>` & <b>tags</b>.")
    html = client.get("/faq/tricky/").content.decode()
    [script_body] = parse_page(html).json_ld
    assert "<" not in script_body and ">" not in script_body and "&" not in script_body
    data = json.loads(script_body)
    assert data["mainEntity"][0]["name"] == question
    assert "<script>alert" not in html


# The head links


def _assert_discovery_links(html: str) -> None:
    links = parse_page(html).head_links
    assert {
        "rel": "alternate",
        "type": "application/atom+xml",
        "title": "Recently updated answers",
        "href": "/feed.atom",
    } in links
    assert {
        "rel": "search",
        "type": "application/opensearchdescription+xml",
        "title": "Procore API knowledge base",
        "href": "/opensearch.xml",
    } in links


@pytest.mark.parametrize(
    "url", ["/", "/c/oauth/", "/faq/rate-limit-429/", "/faq/no-such-entry/", "/c/empty/"]
)
def test_every_page_links_the_feed_and_the_search_description_in_its_head(client, faq, url):
    _assert_discovery_links(client.get(url).content.decode())


def test_the_server_error_page_links_them_too(db):
    _assert_discovery_links(render_to_string("500.html"))


def test_the_linked_addresses_serve_what_the_links_announce(client, db):
    assert client.get("/feed.atom")["Content-Type"].startswith("application/atom+xml")
    opensearch = client.get("/opensearch.xml")["Content-Type"]
    assert opensearch.startswith("application/opensearchdescription+xml")


@pytest.mark.parametrize("url", ["/sitemap.xml", "/robots.txt", "/feed.atom", "/opensearch.xml"])
def test_discovery_files_may_be_cached_publicly_and_set_no_cookie(client, faq, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    assert not response.cookies
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405
