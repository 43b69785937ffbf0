"""Conditional requests, cache headers, compression and hashed static files."""

import gzip
import re

import brotli
import pytest
from django.core.management import call_command
from django.test import Client

from kb.models import Category, Entry
from tests.factories import make_entry

PAGES = ["/", "/c/oauth/", "/faq/rate-limit-429/"]


def revisit(client, url: str) -> str:
    """Visit a page; return its ETag. The first visit has one: the page embeds nothing of the
    visitor's (see kb/content/caching.py)."""
    first = client.get(url)
    assert first.status_code == 200
    return first["ETag"]


@pytest.mark.parametrize("url", PAGES)
def test_it_answers_a_conditional_request_for_an_unchanged_page_with_304(client, faq, url):
    etag = revisit(client, url)
    assert etag.startswith('W/"')

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    assert "Cookie" not in response["Vary"]
    assert not response.cookies


def test_it_answers_a_conditional_request_without_reading_any_entry(
    client, faq, django_assert_max_num_queries
):
    etag = revisit(client, "/faq/rate-limit-429/")
    with django_assert_max_num_queries(1):  # the content version, nothing else
        response = client.get("/faq/rate-limit-429/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_it_sends_the_page_again_when_the_entry_changes(client, faq):
    etag = revisit(client, "/faq/rate-limit-429/")
    entry = Entry.objects.get(slug="rate-limit-429")
    entry.answer += "\n\nWait for the `X-Rate-Limit-Reset` time."
    entry.save()

    response = client.get("/faq/rate-limit-429/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "X-Rate-Limit-Reset</code> time" in response.content.decode()
    assert response["ETag"] != etag


def test_it_sends_the_page_again_when_a_related_entry_is_deleted(client, faq):
    etag = revisit(client, "/faq/access-token-lifetime/")
    Entry.objects.get(slug="refresh-token-lifetime").delete()

    response = client.get("/faq/access-token-lifetime/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "/faq/refresh-token-lifetime/" not in response.content.decode()


def test_it_sends_the_page_again_when_the_category_is_renamed(client, faq):
    etag = revisit(client, "/faq/access-token-lifetime/")
    # A bulk update leaves every `updated` timestamp as it was.
    Category.objects.filter(slug="oauth").update(name="OAuth 2.0 and tokens")

    response = client.get("/faq/access-token-lifetime/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "OAuth 2.0 and tokens" in response.content.decode()


def test_it_sends_the_page_again_when_an_entry_is_unpublished_in_bulk(client, faq):
    etag = revisit(client, "/")
    Entry.objects.filter(slug="rate-limit-429").update(status=Entry.Status.DRAFT)

    response = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "/faq/rate-limit-429/" not in response.content.decode()


def test_every_visitor_gets_the_same_page_without_a_token_or_a_cookie(faq):
    alice, bob = Client(), Client()
    alice_page, bob_page = alice.get("/faq/rate-limit-429/"), bob.get("/faq/rate-limit-429/")
    assert alice_page["ETag"] == bob_page["ETag"]
    assert alice_page.content == bob_page.content
    assert not alice_page.cookies and not bob_page.cookies
    assert b"csrf" not in bob_page.content.lower()

    # Bob may revalidate the copy a shared cache got for Alice.
    response = bob.get("/faq/rate-limit-429/", HTTP_IF_NONE_MATCH=alice_page["ETag"])
    assert response.status_code == 304


def test_staff_pages_are_never_stored_nor_confirmed_from_cache(client, faq, staff_user):
    etag = revisit(client, "/faq/rate-limit-429/")
    client.force_login(staff_user)
    make_entry(slug="secret-draft", question="Secret?", status=Entry.Status.DRAFT)

    response = client.get("/faq/secret-draft/")
    assert response.status_code == 200
    assert not response.has_header("ETag")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]

    response = client.get("/faq/rate-limit-429/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert not response.has_header("ETag")


def test_htmx_requests_get_no_etag_and_pages_vary_on_hx_request(client, faq):
    revisit(client, "/faq/rate-limit-429/")
    response = client.get("/faq/rate-limit-429/", htmx=True)
    assert response.status_code == 200
    assert not response.has_header("ETag")
    assert "HX-Request" in response["Vary"]


def test_a_missing_page_has_no_etag(client, faq):
    client.get("/")
    response = client.get("/c/empty-category-that-does-not-exist/")
    assert response.status_code == 404
    assert not response.has_header("ETag")


def test_pages_are_gzipped_for_browsers_that_accept_it(client, faq):
    plain = client.get("/faq/rate-limit-429/")
    response = client.get("/faq/rate-limit-429/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < len(plain.content) / 2
    assert b"I am receiving a 429 status code error" in gzip.decompress(response.content)


def test_static_files_are_hashed_compressed_and_cached_for_a_year_or_more(settings, tmp_path, db):
    # What `make run` does: collectstatic with the manifest storage, then whitenoise serves it.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", "--noinput", verbosity=0)
    client = Client()  # a new handler, so whitenoise scans the new STATIC_ROOT

    html = client.get("/").content.decode()
    css_url = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html).group(1)
    js_url = re.search(r'src="(/static/django_htmx/htmx-2\.min\.[0-9a-f]{12}\.js)"', html).group(1)

    for url in (css_url, js_url):
        on_disk = settings.STATIC_ROOT / url.removeprefix("/static/")
        assert on_disk.with_name(on_disk.name + ".gz").exists()
        assert on_disk.with_name(on_disk.name + ".br").exists()

        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
        body = b"".join(response.streaming_content)
        response.close()
        assert response.status_code == 200
        assert response["Content-Encoding"] == "br"
        assert brotli.decompress(body) == on_disk.read_bytes()
        max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
        assert max_age >= 365 * 24 * 60 * 60
        assert "immutable" in response["Cache-Control"]
        assert "Accept-Encoding" in response["Vary"]

        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        body = b"".join(response.streaming_content)
        response.close()
        assert response["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == on_disk.read_bytes()
