"""Throttles: searches and votes per client, counted atomically, behind trusted proxies too."""

import threading

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from kb.models import ThrottleWindow
from kb.web.client import client_address
from tests.factories import make_entry
from tests.htmx import HtmxClient


@pytest.fixture
def one_search_a_day(settings):
    settings.KB_SEARCH_RATE_LIMIT = 1
    settings.KB_SEARCH_RATE_WINDOW = 24 * 3600  # so no window ends mid-test, in practice


def test_a_flood_of_api_searches_gets_429_with_retry_after(client, indexed_faq, one_search_a_day):
    assert client.get("/api/search", {"q": "429"}).status_code == 200
    response = client.get("/api/search", {"q": "429"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 24 * 3600
    assert "Too many searches" in response.json()["error"]


def test_the_search_page_says_so_kindly_when_throttled(client, indexed_faq, one_search_a_day):
    client.get("/search/", {"q": "429"})
    response = client.get("/search/", {"q": "429"})
    assert response.status_code == 429
    assert "Retry-After" in response
    html = response.content.decode()
    assert "Slow down a little" in html
    assert "<header" in html, "a whole page, with the search box and navigation"
    fragment = HtmxClient().post("/search/", {"q": "429"}, htmx=True)
    assert fragment.status_code == 429
    assert "Slow down a little" in fragment.content.decode()
    assert "<header" not in fragment.content.decode()


def test_the_search_throttle_is_per_client(indexed_faq, one_search_a_day):
    assert Client(REMOTE_ADDR="203.0.113.1").get("/api/search?q=a").status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.1").get("/api/search?q=a").status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.2").get("/api/search?q=a").status_code == 200


def test_page_and_api_share_one_allowance(client, indexed_faq, one_search_a_day):
    client.get("/search/", {"q": "429"})
    assert client.get("/api/search", {"q": "429"}).status_code == 429


def test_ended_windows_leave_no_rows_behind(client, indexed_faq, settings, monkeypatch):
    from kb.web import throttle

    ThrottleWindow.objects.create(key="search:old", window_end=1, hits=5)
    monkeypatch.setattr(throttle, "CLEANUP_ONE_IN", 1)
    client.get("/api/search", {"q": "429"})
    assert not ThrottleWindow.objects.filter(key="search:old").exists()


def test_concurrent_votes_are_counted_exactly(transactional_db, settings):
    """60 votes at once from one address against a limit of 20: exactly 20 get through."""
    settings.KB_FEEDBACK_RATE_LIMIT = 20
    settings.KB_FEEDBACK_RATE_WINDOW = 24 * 3600
    entry = make_entry()
    statuses = []
    start = threading.Barrier(12)

    def vote(count: int) -> None:
        client = Client(REMOTE_ADDR="198.51.100.9")
        start.wait()
        try:
            for _ in range(count):
                statuses.append(client.post(f"/faq/{entry.slug}/feedback/", {"helpful": "no"}))
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(5,)) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = [response.status_code for response in statuses]
    assert len(codes) == 60
    assert codes.count(302) == 20
    assert codes.count(429) == 40
    assert sum(row.hits for row in ThrottleWindow.objects.all()) == 60


# The client's address behind proxies


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_a_forwarded_header_is_not_believed(settings):
    settings.KB_TRUSTED_PROXIES = ()
    assert client_address(_request("192.0.2.10", "203.0.113.5")) == "192.0.2.10"


def test_behind_one_proxy_the_client_is_the_address_it_added(settings):
    settings.KB_TRUSTED_PROXIES = ("10.0.0.2/32",)
    assert client_address(_request("10.0.0.2", "203.0.113.5")) == "203.0.113.5"
    # Whatever the client wrote itself stands to the left and is ignored.
    assert client_address(_request("10.0.0.2", "1.2.3.4, 203.0.113.5")) == "203.0.113.5"


def test_behind_two_proxies_the_client_is_second_from_the_right(settings):
    settings.KB_TRUSTED_PROXIES = ("10.0.0.0/8",)
    forwarded = "6.6.6.6, 203.0.113.5, 10.0.0.3"
    assert client_address(_request("10.0.0.2", forwarded)) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address"])
def test_a_missing_or_broken_forwarded_header_falls_back_to_the_connection(settings, forwarded):
    settings.KB_TRUSTED_PROXIES = ("10.0.0.2/32",)
    assert client_address(_request("10.0.0.2", forwarded)) == "10.0.0.2"


@pytest.mark.parametrize("direct", ["192.0.2.77", "10.0.0.99", "::1", "not-an-address"])
def test_a_forwarded_header_from_a_connection_that_is_not_a_proxy_is_not_believed(settings, direct):
    settings.KB_TRUSTED_PROXIES = ("10.0.0.2/32", "127.0.0.1/32")
    assert client_address(_request(direct, "203.0.113.5")) == direct


def test_only_the_hops_added_by_trusted_proxies_are_believed(settings):
    settings.KB_TRUSTED_PROXIES = ("127.0.0.1/32", "10.0.0.0/8")
    # A load balancer (10.0.1.5) in front of nginx (127.0.0.1): both are skipped.
    assert client_address(_request("127.0.0.1", "6.6.6.6, 203.0.113.5, 10.0.1.5")) == (
        "203.0.113.5"
    )
    # Whatever stands left of the first address that is not a proxy was written by a client.
    assert client_address(_request("127.0.0.1", "10.0.0.9, 203.0.113.5")) == "203.0.113.5"
    assert client_address(_request("127.0.0.1", "203.0.113.5, junk, 10.0.1.5")) == "10.0.1.5"


def test_a_directly_reachable_node_counts_a_rotating_forwarded_header_as_one_client(
    indexed_faq, settings
):
    settings.KB_TRUSTED_PROXIES = ("127.0.0.1/32",)
    settings.KB_SEARCH_RATE_LIMIT = 2
    settings.KB_SEARCH_RATE_WINDOW = 24 * 3600
    statuses = [
        Client(REMOTE_ADDR="192.0.2.77", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        .get("/api/search?q=a")
        .status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 429, 429]


def test_behind_a_proxy_each_client_gets_its_own_allowance(indexed_faq, settings):
    settings.KB_TRUSTED_PROXIES = ("10.0.0.2/32",)
    settings.KB_SEARCH_RATE_LIMIT = 1
    settings.KB_SEARCH_RATE_WINDOW = 24 * 3600
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    second = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert first.get("/api/search?q=a").status_code == 200
    assert first.get("/api/search?q=a").status_code == 429
    assert second.get("/api/search?q=a").status_code == 200
