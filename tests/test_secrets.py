"""Pasted secrets are never stored, logged or put back into a URL, and search stays as good."""

import logging
import urllib.parse

import pytest

from kb.models import SearchRecord
from kb.web.redaction import REDACTED, redact
from tests.htmx import HtmxClient

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ"
RANDOM_TOKEN = "Xq7Lr2Vp9Kd4Ws8Nm3Tb6Yh1Jc5Gf0Za"
SECRETS = [JWT, RANDOM_TOKEN, "s3cr3t-client-value", "r3fr35h-t0k3n-value", "sess10n-c00kie"]

PASTE_401 = f"""HTTP/1.1 401 Unauthorized
Authorization: Bearer {JWT}
Cookie: _procore_session=sess10n-c00kie; other=1
WWW-Authenticate: Bearer realm="api", error="invalid_token"

{{"error": "invalid_token", "access_token": "{RANDOM_TOKEN}"}}"""

REFRESH_REQUEST = (
    "POST /oauth/token grant_type=refresh_token&refresh_token=r3fr35h-t0k3n-value"
    "&client_id=abc&client_secret=s3cr3t-client-value\n"
    '{"error":"invalid_grant","error_description":"The provided authorization grant is invalid"}'
)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"Authorization: Bearer {JWT}", "Authorization"),
        (f'curl -H "Authorization: Bearer {RANDOM_TOKEN}" https://api.procore.com', "curl"),
        ("Basic dXNlcjpwYXNzd29yZA==", "Basic"),
        (f"token {JWT} failed", "failed"),
        ('{"access_token": "abc123456", "expires_in": 7200}', '"expires_in": 7200'),
        ('{"refresh_token":"r3fr35h","created_at":1741082400}', '"created_at":1741082400'),
        ('{"client_secret": "s3cr3t"}', "client_secret"),
        ("client_id=abc&client_secret=s3cr3t&code=xyz", "client_id=abc"),
        ("https://x.test/cb?access_token=abc123&state=1", "state=1"),
        ("Cookie: _session=abc; csrftoken=def", "Cookie"),
        ("Set-Cookie: sid=s3cr3t; Path=/; HttpOnly", "Set-Cookie"),
        ("X-Api-Key: AKIAIOSFODNN7EXAMPLE", "X-Api-Key"),
        ("password: hunter22", "password"),
        (f"sk_live_{RANDOM_TOKEN}", ""),
        ("request id 0f1e2d3c4b5a69788796a5b4c3d2e1f0", "request id"),
    ],
)
def test_it_redacts_every_kind_of_secret_and_keeps_the_words_around_it(text, kept):
    redacted = redact(text)
    assert REDACTED in redacted
    assert kept in redacted
    for secret in ("abc123456", "r3fr35h", "s3cr3t", "AKIAIOSFODNN7EXAMPLE", "hunter22", JWT):
        assert secret not in redacted
    assert RANDOM_TOKEN not in redacted


@pytest.mark.parametrize(
    "text",
    [
        "429 Too Many Requests X-Rate-Limit-Reset: 1795880000",
        "invalid_grant refresh_token expired",
        "grant_type=refresh_token",
        "Missing Procore-Company-Id header!",
        "invalid_token: the access token expired",
        'WWW-Authenticate: Bearer realm="api", error="invalid_token"',
        "company_id_query_parameter_missing X-Rate-Limit-Remaining",
        "https://api.procore.com/rest/v1.0/projects?company_id=12345",
    ],
)
def test_it_leaves_ordinary_developer_text_alone(text):
    assert redact(text) == text


def test_a_paste_with_secrets_still_finds_its_answer(client, indexed_faq):
    data = client.get("/api/search", {"q": REFRESH_REQUEST}).json()
    assert data["results"][0]["slug"] == "refresh-token-invalid"
    assert all(secret not in data["query"] for secret in SECRETS)


def test_the_search_log_keeps_the_search_without_its_secrets(client, indexed_faq):
    client.post("/search/", {"q": PASTE_401})
    stored = SearchRecord.objects.get().query
    assert "invalid_token" in stored
    assert REDACTED in stored
    assert all(secret.lower() not in stored for secret in SECRETS)


def test_the_results_page_shows_no_secret(client, indexed_faq):
    html = client.post("/search/", {"q": PASTE_401}).content.decode()
    assert all(secret not in html for secret in SECRETS)


def test_the_request_log_has_no_secret_and_no_long_paste(client, indexed_faq, caplog):
    long_query = f"Authorization: Bearer {JWT} " + "word " * 400
    with caplog.at_level(logging.INFO, logger="kb.requests"):
        client.get("/api/search", {"q": long_query})
    lines = [r.getMessage() for r in caplog.records if r.name == "kb.requests"]
    assert len(lines) == 1
    assert "/api/search?" in lines[0]
    assert JWT not in lines[0]
    assert len(lines[0]) < 400


@pytest.mark.parametrize(
    ("path", "query", "secret"),
    [
        ("/search/", '{"access_token":"abc123456"}', "abc123456"),
        ("/api/search", "client_secret=s3cr3t-client-value", "s3cr3t-client-value"),
        ("/tools/error-codes/", "password: hunter22", "hunter22"),
        ("/search/", "key procorekeyabcdefghij1234567890xyz", "procorekeyabcdefghij1234567890xyz"),
        ("/search/", f"Bearer {RANDOM_TOKEN}", RANDOM_TOKEN),
    ],
)
def test_the_request_log_redacts_the_decoded_query(
    client, indexed_faq, caplog, path, query, secret
):
    with caplog.at_level(logging.INFO, logger="kb.requests"):
        client.get(path, {"q": query})  # the test client URL-encodes it, as a browser does
    (line,) = [r.getMessage() for r in caplog.records if r.name == "kb.requests"]
    assert REDACTED in line
    assert secret not in line
    assert urllib.parse.quote(secret) not in line
    assert urllib.parse.quote_plus(secret) not in line


def test_a_credential_named_parameter_and_a_secret_in_the_path_are_not_logged(client, faq, caplog):
    with caplog.at_level(logging.INFO, logger="kb.requests"):
        client.get(f"/faq/{RANDOM_TOKEN}/", {"access_token": "abc123456", "page": "2"})
    (line,) = [r.getMessage() for r in caplog.records if r.name == "kb.requests"]
    assert "abc123456" not in line
    assert RANDOM_TOKEN not in line
    assert "page=2" in line


def test_the_logged_address_stays_one_word_on_one_line(client, faq, caplog):
    with caplog.at_level(logging.INFO, logger="kb.requests"):
        client.get("/search/", {"q": 'a b\nfake 200 "line"'})
    (line,) = [r.getMessage() for r in caplog.records if r.name == "kb.requests"]
    # Decoded to be redacted, encoded again to be logged: no line break, no space, no quote.
    assert "\n" not in line
    assert line.split('"')[1].startswith("GET /search/?q=a%20b%0Afake%20200%20%22line%22")


def test_a_short_search_posted_without_javascript_ends_on_its_redacted_address(client, indexed_faq):
    response = client.post("/search/", {"q": f"invalid_grant token {RANDOM_TOKEN}"})
    assert response.status_code == 303
    assert response["Location"].startswith("/search/?q=invalid_grant")
    assert RANDOM_TOKEN not in response["Location"]
    page = client.get(response["Location"])
    assert "refresh-token-invalid" in page.content.decode()


def test_a_long_paste_is_answered_in_place_and_never_becomes_an_address(client, indexed_faq):
    response = client.post("/search/", {"q": PASTE_401})
    assert response.status_code == 200
    assert "Location" not in response
    htmx = HtmxClient().post("/search/", {"q": PASTE_401}, htmx=True)
    assert htmx["HX-Push-Url"] == "/search/"


def test_live_search_puts_only_the_redacted_short_query_in_the_address_bar(indexed_faq):
    response = HtmxClient().post("/search/", {"q": f"Bearer {JWT} 401"}, htmx=True)
    assert response["HX-Push-Url"] == "/search/?q=Bearer%20%5Bredacted%5D%20401"


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://evil.testserver"},
        {"Origin": "https://evil.example"},  # a browser that sends Origin only
        {"Referer": "https://evil.example/page"},
    ],
)
def test_a_search_posted_from_another_site_is_refused(client, indexed_faq, headers):
    response = client.post("/search/", {"q": "429"}, headers=headers)
    assert response.status_code == 403
    assert not SearchRecord.objects.exists()


def test_a_search_posted_from_this_site_or_by_the_visitor_is_answered(client, indexed_faq):
    for headers in ({"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {}):
        assert client.post("/search/", {"q": "429"}, headers=headers).status_code == 303
