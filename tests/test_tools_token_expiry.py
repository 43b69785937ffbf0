"""The token-expiry calculator: its page (with and without htmx) and its JSON API."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import Entry
from tests.html import parse

URL = "/tools/token-expiry/"
API = "/api/tools/token-expiry"
TOKEN_RESPONSE = json.dumps(
    {
        "access_token": "secret-access-token-value",
        "token_type": "Bearer",
        "expires_in": 5400,
        "refresh_token": "secret-refresh-token-value",
        "created_at": 1741082400,  # 2025-03-04 10:00:00 UTC
    }
)


@pytest.fixture
def at_11_utc(time_machine):
    """The clock stands at 2025-03-04 11:00:00 UTC, an hour after the tokens below."""
    time_machine.move_to(datetime(2025, 3, 4, 11, tzinfo=UTC), tick=False)


def result_of(response) -> str:
    return parse(response.content).find("section", id="token-result").markup


def field_errors(response, field: str) -> str:
    return parse(response.content).find("div", id=f"id_{field}_error").markup


def test_the_page_offers_the_form_with_utc_until_the_browser_says_otherwise(client, faq):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Token-expiry calculator</h1>" in html
    assert 'name="issued_at"' in html and 'name="token_response"' in html
    assert 'name="tz" value="UTC"' in html
    assert "data-fill-browser-timezone" in html
    assert '<option value="Europe/Paris">' in html
    assert 'placeholder="7200"' in html
    assert "/static/js/tools.js" in html
    assert "Enter when the token was issued" in result_of(response)


def test_it_shows_when_a_token_expires_in_utc_and_the_chosen_timezone(client, faq, at_11_utc):
    response = client.post(URL, {"issued_at": "2025-03-04T10:00:00Z", "tz": "Europe/Paris"})
    result = result_of(response)
    assert response.status_code == 200
    assert "<strong>Still valid</strong> for 1 hour." in result
    assert "Tue 4 Mar 2025, 12:00:00 UTC" in result
    assert "Expires in Europe/Paris</dt><dd>Tue 4 Mar 2025, 13:00:00 CET" in result
    assert "7200 seconds (2 hours), from the usual lifetime" in result
    assert "Refresh it before it expires" in result
    assert 'href="/faq/access-token-lifetime/"' in result
    assert 'href="/faq/refresh-token-lifetime/"' in result
    assert 'href="/faq/refresh-token-invalid/"' in result


def test_it_says_when_a_token_has_expired_and_what_to_do(client, faq, time_machine):
    time_machine.move_to(datetime(2025, 3, 4, 15, 30, tzinfo=UTC), tick=False)
    result = result_of(client.post(URL, {"issued_at": "1741082400", "tz": "UTC"}))
    assert "<strong>Expired</strong> 3 hours, 30 minutes ago." in result
    assert "no longer works" in result
    assert 'href="/faq/access-token-not-working/"' in result


def test_the_result_is_worked_out_at_the_time_of_each_request(client, faq, time_machine):
    data = {"issued_at": "2025-03-04T10:00:00Z"}
    time_machine.move_to(datetime(2025, 3, 4, 11, tzinfo=UTC), tick=False)
    assert "Still valid" in result_of(client.post(URL, data))
    time_machine.move_to(datetime(2025, 3, 4, 13, tzinfo=UTC), tick=False)
    assert "Expired" in result_of(client.post(URL, data))


def test_a_pasted_token_response_gives_the_issue_time_and_the_lifetime(client, faq, at_11_utc):
    response = client.post(
        URL, {"token_response": TOKEN_RESPONSE, "issued_at": "2025-03-04T09:00:00Z"}
    )
    result = result_of(response)
    assert "Tue 4 Mar 2025, 11:30:00 UTC" in result
    assert "5400 seconds (1 hour, 30 minutes), from the pasted response&#x27;s expires_in" in result
    assert "created_at was used, not the time typed above" in result
    # Nothing of the tokens is echoed back.
    assert "secret-access-token-value" not in result


def test_the_pasted_expires_in_wins_over_a_typed_lifetime(client, faq, at_11_utc):
    result = result_of(client.post(URL, {"token_response": TOKEN_RESPONSE, "expires_in": "60"}))
    assert "5400 seconds" in result
    assert "expires_in was used, not the lifetime typed above" in result


def test_a_typed_lifetime_wins_over_the_setting(client, faq, at_11_utc):
    result = result_of(client.post(URL, {"issued_at": "1741082400", "expires_in": "600"}))
    assert "600 seconds (10 minutes), from the lifetime you entered" in result
    assert "<strong>Expired</strong> 50 minutes ago." in result


def test_the_default_lifetime_is_a_setting(client, faq, at_11_utc, settings):
    settings.KB_ACCESS_TOKEN_LIFETIME = 5400
    page = client.get(URL).content.decode()
    assert 'placeholder="5400"' in page
    result = result_of(client.post(URL, {"issued_at": "1741082400"}))
    assert "5400 seconds (1 hour, 30 minutes), from the usual lifetime" in result


def test_a_link_can_carry_the_input(client, faq, at_11_utc):
    response = client.get(URL, {"issued_at": "1741082400", "tz": "Asia/Tokyo"})
    html = response.content.decode()
    assert "Tue 4 Mar 2025, 21:00:00 JST" in result_of(response)
    assert "data-fill-browser-timezone" not in html, "a chosen timezone is kept"


def test_a_response_without_created_at_needs_the_issue_time(client, faq):
    response = client.post(URL, {"token_response": '{"expires_in": 5400}'})
    assert response.status_code == 400
    assert "has no created_at" in field_errors(response, "issued_at")


def test_htmx_gets_the_result_fragment_with_the_field_errors_to_swap(client, faq, at_11_utc):
    response = client.post(URL, {"issued_at": "1741082400"}, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="token-result"')
    assert "<html" not in html and "<form" not in html
    assert "Still valid" in html
    assert 'id="id_issued_at_error" aria-live="polite" hx-swap-oob="true"></div>' in html


def test_htmx_with_the_inputs_cleared_shows_the_prompt_not_an_error(client, faq):
    response = client.post(URL, {"issued_at": "", "tz": "Europe/Paris"}, htmx=True)
    assert response.status_code == 200
    assert "Enter when the token was issued, or paste" in response.content.decode()
    assert 'class="field-error"' not in response.content.decode()


def test_pressing_calculate_with_nothing_entered_says_what_is_missing(client, faq):
    response = client.post(URL, {"issued_at": "", "tz": "UTC"})
    assert response.status_code == 400
    assert "Enter when the token was issued, or paste the token response." in field_errors(
        response, "issued_at"
    )


BAD_INPUT = {
    "a date that does not parse": (
        {"issued_at": "next Tuesday"},
        "issued_at",
        "is not a date-time we can read",
    ),
    "a local time skipped by DST": (
        {"issued_at": "2025-03-09 02:30", "tz": "America/New_York"},
        "issued_at",
        "does not exist in America/New_York",
    ),
    "a negative expires_in": (
        {"issued_at": "1741082400", "expires_in": "-7200"},
        "expires_in",
        "at least 1 second",
    ),
    "an absurd expires_in": (
        {"issued_at": "1741082400", "expires_in": "99999999999999999999"},
        "expires_in",
        "More than a week",
    ),
    "expires_in that is not a number": (
        {"issued_at": "1741082400", "expires_in": "2h"},
        "expires_in",
        "Enter a whole number of seconds",
    ),
    "an unknown timezone": (
        {"issued_at": "1741082400", "tz": "Mars/Olympus_Mons"},
        "tz",
        "is not a timezone we know",
    ),
    "JSON that does not parse": (
        {"token_response": '{"expires_in": 5400,'},
        "token_response",
        "This is not valid JSON",
    ),
    "JSON with an absurd expires_in": (
        {"token_response": '{"created_at": 1741082400, "expires_in": -1}'},
        "token_response",
        "at least 1 second",
    ),
    "a 50 KB paste": (
        {"token_response": "x" * 50_000},
        "token_response",
        "That is 50000 characters; a token response is at most 10000.",
    ),
    "a 50 KB date": (
        {"issued_at": "1" * 50_000},
        "issued_at",
        "That is 50000 characters; a date-time is at most 100.",
    ),
}


def assert_nothing_written(queries):
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


@pytest.mark.parametrize("case", BAD_INPUT.keys())
def test_bad_input_is_explained_next_to_its_field(case, client, faq):
    data, field, message = BAD_INPUT[case]
    before = list(Entry.objects.values_list("slug", "answer", "updated"))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, data)
    assert response.status_code == 400
    assert message in field_errors(response, field)
    assert 'aria-invalid="true"' in response.content.decode()
    assert_nothing_written(queries)
    assert list(Entry.objects.values_list("slug", "answer", "updated")) == before


@pytest.mark.parametrize("case", BAD_INPUT.keys())
def test_bad_input_is_explained_to_htmx_too(case, client, faq):
    data, field, message = BAD_INPUT[case]
    response = client.post(URL, data, htmx=True)
    assert response.status_code == 200, "htmx swaps only 2xx responses"
    assert message in field_errors(response, field)
    assert f'id="id_{field}_error" aria-live="polite" hx-swap-oob="true"' in (
        response.content.decode()
    )


@pytest.mark.parametrize("case", [c for c in BAD_INPUT if "token_response" not in BAD_INPUT[c][0]])
def test_the_api_answers_bad_input_with_400_and_an_error(case, client, faq):
    data, field, message = BAD_INPUT[case]
    response = client.get(API, data)
    assert response.status_code == 400
    body = response.json()
    assert message in body["error"]
    assert body["error"].startswith(f"{field}:")
    assert message in body["errors"][field][0]


def test_the_api_refuses_a_token_response_in_the_url(client, faq):
    response = client.get(API, {"token_response": TOKEN_RESPONSE})
    assert response.status_code == 400
    assert "not accepted in a URL" in response.json()["error"]


def test_the_api_needs_an_issue_time(client, faq):
    response = client.get(API)
    assert response.status_code == 400
    assert response.json()["error"] == (
        "issued_at: Enter when the token was issued, or paste the token response."
    )


def test_the_api_answers_with_the_expiry_in_utc(client, faq, at_11_utc):
    response = client.get(
        API, {"issued_at": "2025-03-04T11:00:00+01:00", "expires_in": "5400", "tz": "Asia/Tokyo"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["issued_at"] == "2025-03-04T10:00:00Z"
    assert body["expires_at"] == "2025-03-04T11:30:00Z"
    assert body["expired"] is False
    assert body["seconds_left"] == 1800
    assert body["expires_at_local"] == "2025-03-04T20:30:00+09:00"
    assert body["in_words"] == "30 minutes left"
    assert body["expires_in_source"] == "the lifetime you entered"
    assert body["next_steps"][0]["entry"] == "http://testserver/faq/access-token-lifetime/"


def test_the_api_counts_seconds_left_negative_once_expired_and_reads_milliseconds(
    client, faq, time_machine
):
    time_machine.move_to(datetime(2025, 3, 4, 12, 0, 10, tzinfo=UTC), tick=False)
    body = client.get(API, {"issued_at": "1741082400000"}).json()
    assert body["expired"] is True
    assert body["seconds_left"] == -10
    assert body["issued_at"] == "2025-03-04T10:00:00Z"
    assert "read as milliseconds" in body["notes"][0]


def test_the_api_and_page_take_only_get_and_post(client, faq):
    assert client.put(URL).status_code == 405
    assert client.post(API).status_code == 405


@pytest.mark.parametrize(
    ("value", "outcome"),
    [
        ("5400", "5400"),
        ("2h", "KB_ACCESS_TOKEN_LIFETIME must be a whole number, not '2h'"),
        ("0", "KB_ACCESS_TOKEN_LIFETIME must be 1 second or more, not 0"),
    ],
)
def test_the_lifetime_setting_is_read_strictly(value, outcome, tmp_path):
    script = "import kb.settings as s; print(s.KB_ACCESS_TOKEN_LIFETIME)"
    env = {**os.environ, "KB_ACCESS_TOKEN_LIFETIME": value, "KB_DATA_DIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert outcome in run.stdout + run.stderr
    assert (run.returncode == 0) is (value == "5400")
