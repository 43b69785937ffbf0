"""The tools and time that has not happened yet, or has already passed: a token issued in the
future is refused with a clock-skew hint, a rate-limit reset already past is flagged, and a
time in UTC is said once (issue 23)."""

import json
from datetime import UTC, datetime

import pytest

from kb.tools import error_lookup, tokens
from kb.tools.instants import ToolInputError
from tests.html import parse
from tests.test_mcp import call, text_of

TOKEN_PAGE = "/tools/token-expiry/"
TOKEN_API = "/api/tools/token-expiry"
LOOKUP_PAGE = "/tools/error-codes/"
LOOKUP_API = "/api/error-codes"
NOW = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)

RESPONSE_429 = """HTTP/1.1 429 Too Many Requests
Date: Tue, 01 Dec 2026 21:00:00 GMT
X-Rate-Limit-Limit: 25
X-Rate-Limit-Remaining: 0
X-Rate-Limit-Reset: {reset}
"""


@pytest.fixture
def at_21_utc(time_machine):
    time_machine.move_to(NOW, tick=False)


def field_errors(response, field: str) -> str:
    return parse(response.content).find("div", id=f"id_{field}_error").text


# --- The calculation ----------------------------------------------------------------------------


def test_an_issue_time_in_the_future_is_refused_with_a_clock_skew_hint():
    with pytest.raises(ToolInputError) as refused:
        tokens.check_issued_in_past(datetime(2030, 1, 1, tzinfo=UTC), NOW)
    message = str(refused.value)
    assert message.startswith("That time is 3 years in the future")
    assert "it is now 2026-12-01 21:00 UTC" in message
    assert "clock skew" in message


def test_a_few_minutes_of_clock_difference_are_allowed():
    tokens.check_issued_in_past(datetime(2026, 12, 1, 21, 5, tzinfo=UTC), NOW)
    with pytest.raises(ToolInputError, match="That time is 5 minutes in the future"):
        tokens.check_issued_in_past(datetime(2026, 12, 1, 21, 5, 1, tzinfo=UTC), NOW)


def test_a_reset_time_already_past_is_flagged():
    response = error_lookup.parse_http_response(
        RESPONSE_429.format(reset=int(NOW.timestamp()) - 120)
    )
    info = error_lookup.read_rate_limit(response, NOW)
    assert info.reset_passed
    assert info.reset_in_words == "2 minutes"


def test_a_reset_time_ahead_is_not_flagged():
    response = error_lookup.parse_http_response(
        RESPONSE_429.format(reset=int(NOW.timestamp()) + 60)
    )
    info = error_lookup.read_rate_limit(response, NOW)
    assert not info.reset_passed
    assert info.reset_in_words == "1 minute"


# --- The token-expiry calculator's page, API and MCP tool ---------------------------------------


def test_the_page_refuses_a_typed_issue_time_in_the_future(client, faq, at_21_utc):
    response = client.post(TOKEN_PAGE, {"issued_at": "2030-01-01T00:00:00Z", "tz": "UTC"})
    assert response.status_code == 400
    error = field_errors(response, "issued_at")
    assert "That time is 3 years in the future" in error
    assert "clock skew" in error
    result = parse(response.content).find("section", id="token-result").text
    assert "Still valid" not in result


def test_the_page_refuses_a_pasted_created_at_ahead_of_now(client, faq, at_21_utc):
    pasted = json.dumps({"expires_in": 5400, "created_at": int(NOW.timestamp()) + 3600})
    response = client.post(TOKEN_PAGE, {"token_response": pasted})
    assert response.status_code == 400
    error = field_errors(response, "token_response")
    assert "The response's created_at is 1 hour in the future" in error
    assert "Still valid" not in response.content.decode()


def test_the_api_refuses_an_issue_time_in_the_future_with_a_400(client, faq, at_21_utc):
    response = client.get(TOKEN_API, {"issued_at": "2030-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert "in the future" in response.json()["errors"]["issued_at"][0]


def test_a_token_issued_a_moment_ago_is_still_calculated(client, faq, at_21_utc):
    response = client.get(TOKEN_API, {"issued_at": "2026-12-01T21:00:00Z", "expires_in": "5400"})
    assert response.status_code == 200
    assert response.json()["in_words"] == "1 hour, 30 minutes left"


# --- The error-code lookup ----------------------------------------------------------------------


def test_the_lookup_says_when_a_reset_time_has_passed(client, faq, at_21_utc):
    pasted = RESPONSE_429.format(reset=int(NOW.timestamp()) - 120)
    result = parse(client.post(LOOKUP_PAGE, {"q": pasted, "tz": "UTC"}).content)
    text = result.find("section", id="lookup-result").text
    assert "already passed: the window reset Tue 1 Dec 2026, 20:58:00 UTC, 2 minutes ago" in text
    api = client.get(LOOKUP_API, {"q": pasted}).json()
    assert api["rate_limit"]["reset_passed"] is True


def test_the_lookup_says_a_retry_time_in_utc_once(client, faq, at_21_utc):
    pasted = RESPONSE_429.format(reset=int(NOW.timestamp()) + 120)
    page = parse(client.post(LOOKUP_PAGE, {"q": pasted, "tz": "UTC"}).content)
    verdict = page.find("p", cls="verdict-bad").text
    assert verdict == "Retry at 21:02:00 UTC on Tue 1 Dec 2026, in 2 minutes."


def test_the_lookup_still_gives_the_utc_time_for_another_zone(client, faq, at_21_utc):
    pasted = RESPONSE_429.format(reset=int(NOW.timestamp()) + 120)
    page = parse(client.post(LOOKUP_PAGE, {"q": pasted, "tz": "Europe/Paris"}).content)
    verdict = page.find("p", cls="verdict-bad").text
    assert verdict == (
        "Retry at 22:02:00 CET on Tue 1 Dec 2026 (Europe/Paris), in 2 minutes. "
        "That is 21:02:00 UTC."
    )


def test_the_mcp_tool_refuses_an_issue_time_in_the_future(client, faq, at_21_utc):
    result = call(client, "token_expiry", issued_at="2030-01-01T00:00:00Z")
    assert result["isError"] is True
    assert "That time is 3 years in the future" in text_of(result)


def test_the_mcp_tool_says_when_a_reset_time_has_passed(client, faq, at_21_utc):
    pasted = RESPONSE_429.format(reset=int(NOW.timestamp()) - 120)
    text = text_of(call(client, "lookup_error", code_or_paste=pasted))
    assert "X-Rate-Limit-Reset: already passed, 2 minutes ago" in text
