"""The tools' pure calculations (kb/tools/: instants, tokens, error_lookup, schedules), at
chosen instants: no views, no database."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kb.tools import error_lookup, instants, schedules, tokens
from kb.tools.instants import ToolInputError

NEW_YORK = ZoneInfo("America/New_York")
PACIFIC = ZoneInfo("America/Los_Angeles")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pacific(*args) -> datetime:
    return datetime(*args, tzinfo=PACIFIC)


# --- Timezones ---


def test_it_accepts_timezone_names_in_any_case_and_returns_the_iana_spelling():
    assert instants.canonical_timezone("europe/paris") == "Europe/Paris"
    assert instants.canonical_timezone(" UTC ") == "UTC"
    assert "Europe/Paris" in instants.timezone_names()


@pytest.mark.parametrize("name", ["Mars/Olympus", "CET+1", "../../etc/passwd", "", "Europe/"])
def test_it_refuses_names_that_are_not_iana_timezones(name):
    with pytest.raises(ToolInputError, match="is not a timezone we know"):
        instants.canonical_timezone(name)


# --- When a token was issued ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-04T10:00:00Z", utc(2025, 3, 4, 10)),
        ("2025-03-04T10:00:00z", utc(2025, 3, 4, 10)),
        ("2025-03-04 11:00+01:00", utc(2025, 3, 4, 10)),
        ("2025-03-04T05:00:00.750-05:00", utc(2025, 3, 4, 10)),
        ("Tue, 04 Mar 2025 10:00:00 GMT", utc(2025, 3, 4, 10)),
        ("1741082400", utc(2025, 3, 4, 10)),
        ("1741082400.9", utc(2025, 3, 4, 10)),
    ],
)
def test_it_reads_an_issue_time_with_an_offset_or_in_unix_seconds(text, expected):
    parsed = instants.parse_issued_at(text, "Asia/Tokyo")
    assert parsed.instant == expected
    assert parsed.note == ""


def test_it_recognises_milliseconds_and_says_so():
    parsed = instants.parse_issued_at("1741082400123")
    assert parsed.instant == utc(2025, 3, 4, 10)
    assert "read as milliseconds" in parsed.note


def test_seconds_and_milliseconds_of_the_same_instant_agree():
    seconds = instants.parse_issued_at("1741082400")
    milliseconds = instants.parse_issued_at("1741082400000")
    assert seconds.instant == milliseconds.instant
    assert not seconds.note and milliseconds.note


def test_it_reads_a_time_without_offset_in_the_readers_timezone_and_says_so():
    parsed = instants.parse_issued_at("2025-03-04 10:00", "Europe/Paris")
    assert parsed.instant == utc(2025, 3, 4, 9)
    assert parsed.note == "No offset was given, so it was read as Europe/Paris time."


def test_it_refuses_a_local_time_that_the_spring_dst_change_skips():
    with pytest.raises(ToolInputError) as excinfo:
        instants.parse_issued_at("2025-03-09 02:30", "America/New_York")
    assert "does not exist in America/New_York" in str(excinfo.value)
    assert "-05:00 or -04:00" in str(excinfo.value)


def test_it_refuses_a_local_time_that_the_autumn_dst_change_repeats():
    with pytest.raises(ToolInputError) as excinfo:
        instants.parse_issued_at("2025-11-02 01:30", "America/New_York")
    assert "happened twice in America/New_York" in str(excinfo.value)
    # With an offset the same wall-clock time is unambiguous.
    assert instants.parse_issued_at("2025-11-02 01:30-05:00").instant == utc(2025, 11, 2, 6, 30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter when the token was issued"),
        ("yesterday at noon", "is not a date-time we can read"),
        ("2025-13-01T10:00:00Z", "is not a date-time we can read"),
        ("-1741082400", "cannot be negative"),
        ("20250304", "That is 23 August 1970"),
        ("1999-12-31T23:59:59Z", "between the years 2000 and 2099"),
        ("2100-01-01T00:00:00Z", "between the years 2000 and 2099"),
        ("9999-12-31T23:59:59", "between the years 2000 and 2099"),
        ("0001-01-01T00:00:00+05:00", "out of range"),
        ("9999-12-31T23:59:59-05:00", "out of range"),
        ("174108240000000000", "too large for Unix time"),
        ("1" * 5000, "too large for Unix time"),
    ],
)
def test_it_explains_an_issue_time_it_cannot_use(text, message):
    with pytest.raises(ToolInputError, match=message):
        instants.parse_issued_at(text, "Pacific/Kiritimati")


# --- Token responses ---


def test_it_reads_created_at_and_expires_in_from_a_token_response():
    token = tokens.parse_token_response(
        '{"access_token": "abc", "token_type": "Bearer", "expires_in": 5400, '
        '"refresh_token": "def", "created_at": 1741082400}'
    )
    assert token.created_at.instant == utc(2025, 3, 4, 10)
    assert token.expires_in == 5400
    assert token.token_type == "Bearer"


def test_a_token_response_may_lack_created_at_or_give_numbers_as_text():
    token = tokens.parse_token_response('{"access_token": "abc", "expires_in": "7200"}')
    assert token.created_at is None
    assert token.expires_in == 7200


def test_a_created_at_in_milliseconds_is_recognised():
    token = tokens.parse_token_response('{"created_at": 1741082400000}')
    assert token.created_at.instant == utc(2025, 3, 4, 10)
    assert "milliseconds" in token.created_at.note


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"access_token": "abc",', "not valid JSON"),
        ("access_token=abc&expires_in=7200", "not valid JSON"),
        ('["access_token"]', "Paste the whole token response"),
        ('{"hello": "world"}', "not a token response"),
        ('{"expires_in": -5}', "at least 1 second"),
        ('{"expires_in": 0}', "at least 1 second"),
        ('{"expires_in": 99999999}', "more than a week"),
        ('{"expires_in": "1' + "0" * 5000 + '"}', "far too large"),
        ('{"expires_in": 1' + "0" * 5000 + "}", "too long a number"),
        ('{"expires_in": 7200.5}', "whole number of seconds"),
        ('{"expires_in": true}', "whole number of seconds"),
        ('{"created_at": "soon"}', "created_at"),
        ('{"created_at": {"t": 1}}', "created_at must be Unix seconds"),
        ('{"created_at": -5}', "cannot be negative"),
        ("[" * 5000 + "]" * 5000, "too deeply nested"),
    ],
)
def test_it_explains_a_token_response_it_cannot_use(text, message):
    with pytest.raises(ToolInputError, match=message):
        tokens.parse_token_response(text)


# --- Expiry ---


def test_a_token_issued_an_hour_ago_with_the_usual_lifetime_has_an_hour_left():
    now = utc(2025, 3, 4, 11, 0, 0, 400_000)
    expiry = tokens.token_expiry(utc(2025, 3, 4, 10), 7200, now)
    assert expiry.expires_at == utc(2025, 3, 4, 12)
    assert expiry.seconds_left == 3600
    assert not expiry.expired
    assert expiry.in_words == "1 hour left"


def test_a_token_past_its_lifetime_has_expired_and_says_how_long_ago():
    expiry = tokens.token_expiry(utc(2025, 3, 4, 10), 5400, utc(2025, 3, 4, 13, 30))
    assert expiry.expired
    assert expiry.seconds_left == -2 * 3600
    assert expiry.in_words == "expired 2 hours ago"


def test_a_token_expires_at_the_exact_second():
    issued = utc(2025, 3, 4, 10)
    assert not tokens.token_expiry(issued, 7200, utc(2025, 3, 4, 11, 59, 59)).expired
    at_expiry = tokens.token_expiry(issued, 7200, utc(2025, 3, 4, 12))
    assert at_expiry.expired
    assert at_expiry.in_words == "expired just now"


def test_the_expiry_across_the_spring_dst_change_is_two_real_hours():
    # 01:30 EST plus 2 hours is 04:30 EDT: the clocks skip from 2:00 to 3:00.
    issued = instants.parse_issued_at("2025-03-09 01:30", "America/New_York").instant
    expiry = tokens.token_expiry(issued, 7200, issued)
    assert expiry.expires_at.astimezone(NEW_YORK).strftime("%H:%M %Z") == "04:30 EDT"
    assert expiry.expires_at - expiry.issued_at == timedelta(hours=2)


def test_the_expiry_across_the_autumn_dst_change_is_two_real_hours():
    # 00:30 EDT plus 2 hours is 01:30 EST, the second 1:30 of that night.
    issued = instants.parse_issued_at("2025-11-02 00:30", "America/New_York").instant
    expiry = tokens.token_expiry(issued, 7200, issued)
    local = expiry.expires_at.astimezone(NEW_YORK)
    assert local.strftime("%H:%M %Z") == "01:30 EST"
    assert local.fold == 1


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (-45, "45 seconds"),
        (60, "1 minute"),
        (5400, "1 hour, 30 minutes"),
        (7200, "2 hours"),
        (90061, "1 day, 1 hour"),
    ],
)
def test_it_puts_durations_in_plain_words(seconds, words):
    assert instants.describe_duration(seconds) == words


@pytest.mark.parametrize(
    ("value", "message"),
    [(0, "at least 1 second"), (-3600, "at least 1 second"), (604_801, "more than a week")],
)
def test_a_lifetime_must_be_between_a_second_and_a_week(value, message):
    assert tokens.check_lifetime(604_800) == 604_800
    with pytest.raises(ToolInputError, match=message):
        tokens.check_lifetime(value)


def test_the_next_steps_for_a_valid_token_say_refresh_before_expiry():
    expiry = tokens.token_expiry(utc(2025, 3, 4, 10), 7200, utc(2025, 3, 4, 10, 30))
    steps = tokens.token_next_steps(expiry)
    assert "before it expires" in steps[0].text
    assert [s.entry_slug for s in steps] == [
        "access-token-lifetime",
        "refresh-token-lifetime",
        "refresh-token-invalid",
        "refresh-token-invalid",
    ]
    text = " ".join(s.text for s in steps)
    assert "single-use" in text and "lasts until it is used" in text
    assert "successful or not" in text
    assert "revokes its refresh token too" in text


def test_the_next_steps_for_an_expired_token_say_refresh_now():
    expiry = tokens.token_expiry(utc(2025, 3, 4, 10), 7200, utc(2025, 3, 5))
    first = tokens.token_next_steps(expiry)[0]
    assert "no longer works" in first.text
    assert first.entry_slug == "access-token-not-working"


# --- Raw responses and rate limits ---

RESPONSE_429 = """HTTP/1.1 429 Too Many Requests
Date: Tue, 04 Mar 2025 10:00:00 GMT
Content-Type: application/json
x-rate-limit-limit: 3600
X-Rate-Limit-Remaining: 0
X-Rate-Limit-Reset: 1741083000

You have surpassed the max number of requests for an hour. Please wait until your limit resets."""


def test_it_reads_the_status_headers_and_body_of_a_pasted_response():
    response = error_lookup.parse_http_response(RESPONSE_429.replace("\n", "\r\n"))
    assert (response.status, response.reason, response.http_version) == (
        429,
        "Too Many Requests",
        "1.1",
    )
    assert response.header("X-RATE-LIMIT-LIMIT") == "3600"
    assert response.body.startswith("You have surpassed")


def test_it_reads_the_response_out_of_curl_verbose_output():
    pasted = (
        "*   Trying 1.2.3.4:443...\n> GET /rest/v1.0/projects HTTP/2\n> Host: api.procore.com\n"
        ">\n< HTTP/2 503\n< retry-after: 30\n<\n"
    )
    response = error_lookup.parse_http_response(pasted)
    assert response.status == 503
    assert response.http_version == "2"
    assert response.headers == {"retry-after": "30"}


def test_text_without_a_status_line_is_not_a_response():
    assert error_lookup.parse_http_response("App is not connected to this company") is None


def test_a_status_line_without_a_status_code_is_explained():
    with pytest.raises(ToolInputError, match="has no three-digit status code"):
        error_lookup.parse_http_response("HTTP/1.1 Too Many Requests\nRetry-After: 5")


def test_a_429_without_retry_after_may_retry_when_the_window_resets():
    response = error_lookup.parse_http_response(RESPONSE_429)
    info = error_lookup.read_rate_limit(response, utc(2025, 3, 4, 10, 0, 30))
    assert (info.limit, info.remaining) == (3600, 0)
    assert info.reset_at == utc(2025, 3, 4, 10, 10)
    assert info.retry_at == info.reset_at
    assert "X-Rate-Limit-Reset" in info.basis
    assert not info.may_retry_now
    assert info.wait_in_words == "9 minutes"


def test_retry_after_wins_and_counts_from_the_responses_date():
    pasted = RESPONSE_429.replace("X-Rate-Limit-Remaining: 0", "Retry-After: 120")
    response = error_lookup.parse_http_response(pasted)
    info = error_lookup.read_rate_limit(response, utc(2025, 3, 4, 10, 1))
    assert info.retry_after == 120
    assert info.retry_at == utc(2025, 3, 4, 10, 2)
    assert "Date header" in info.basis


def test_retry_after_without_a_date_counts_from_now():
    response = error_lookup.parse_http_response("HTTP/1.1 503 Service Unavailable\nRetry-After: 90")
    info = error_lookup.read_rate_limit(response, utc(2025, 3, 4, 10))
    assert info.retry_at == utc(2025, 3, 4, 10, 1, 30)
    assert "from now" in info.basis


def test_retry_after_may_be_a_date():
    response = error_lookup.parse_http_response(
        "HTTP/1.1 429 Too Many Requests\nRetry-After: Tue, 04 Mar 2025 10:05:00 GMT"
    )
    info = error_lookup.read_rate_limit(response, utc(2025, 3, 4, 10))
    assert info.retry_at == utc(2025, 3, 4, 10, 5)


def test_a_wait_that_is_over_means_retry_now():
    response = error_lookup.parse_http_response(RESPONSE_429)
    info = error_lookup.read_rate_limit(response, utc(2025, 3, 4, 11))
    assert info.may_retry_now
    assert info.wait_in_words == "50 minutes"


def test_headers_that_cannot_be_read_are_reported_and_ignored():
    response = error_lookup.parse_http_response(
        "HTTP/1.1 429 Too Many Requests\nX-Rate-Limit-Remaining: none\nRetry-After: later"
    )
    info = error_lookup.read_rate_limit(response, utc(2025, 3, 4, 10))
    assert info.remaining is None and info.retry_at is None
    assert len(info.problems) == 2
    assert "X-Rate-Limit-Remaining" in info.problems[0]


def test_a_response_without_rate_limit_headers_has_no_rate_limit():
    response = error_lookup.parse_http_response("HTTP/1.1 403 Forbidden\nContent-Type: text/plain")
    assert error_lookup.read_rate_limit(response, utc(2025, 3, 4)) is None


# --- What the error-code lookup was given ---


@pytest.mark.parametrize(
    ("text", "kind", "code"),
    [
        ("429", "code", 429),
        (" 503 ", "code", 503),
        ("403 Forbidden", "text", 403),
        ("App is not connected to this company", "text", None),
        ("4290 errors today", "text", None),
        (RESPONSE_429, "response", 429),
    ],
)
def test_it_tells_a_code_from_a_message_from_a_response(text, kind, code):
    query = error_lookup.parse_lookup_query(text)
    assert (query.kind, query.code) == (kind, code)


@pytest.mark.parametrize("text", ["4290", "42", "099", "600", "0" * 5000])
def test_numbers_that_are_not_status_codes_are_explained(text):
    with pytest.raises(ToolInputError, match="is not an HTTP status code"):
        error_lookup.parse_lookup_query(text)


@pytest.mark.parametrize(
    ("pasted", "matches"),
    [
        ("Missing Procore-Company-Id header!", True),
        ('{"errors": "missing procore_company_id header"}', True),
        ("error: MISSING PROCORE-COMPANY-ID HEADER", True),
        ("Missing Procore", True),  # typed far enough
        ("header", False),  # too short to mean anything
        ("Missing Procore-Company-Id headers everywhere", False),
        ("Company", False),
    ],
)
def test_known_messages_match_whatever_the_case_and_punctuation(pasted, matches):
    assert error_lookup.message_matches("Missing Procore-Company-Id header!", pasted) is matches


def test_the_nearest_codes_are_of_the_same_class_first():
    known = [400, 401, 403, 404, 406, 409, 422, 429, 500, 502, 503]
    assert error_lookup.nearest_codes(418, known) == [422, 409, 429]
    assert error_lookup.nearest_codes(504, known) == [503, 502, 500]
    assert error_lookup.nearest_codes(302, known, count=2) == [400, 401]


# --- The monthly sandbox restore ---


@pytest.mark.parametrize(
    ("today", "next_restore", "changes_restore", "changes_by"),
    [
        (date(2025, 11, 1), date(2025, 11, 2), date(2025, 12, 2), date(2025, 11, 20)),
        (date(2025, 11, 2), date(2025, 11, 2), date(2025, 12, 2), date(2025, 11, 20)),
        (date(2025, 11, 3), date(2025, 12, 2), date(2025, 12, 2), date(2025, 11, 20)),
        (date(2025, 11, 20), date(2025, 12, 2), date(2025, 12, 2), date(2025, 11, 20)),
        (date(2025, 11, 21), date(2025, 12, 2), date(2026, 1, 2), date(2025, 12, 20)),
        (date(2025, 11, 30), date(2025, 12, 2), date(2026, 1, 2), date(2025, 12, 20)),
        (date(2025, 12, 20), date(2026, 1, 2), date(2026, 1, 2), date(2025, 12, 20)),
        (date(2025, 12, 31), date(2026, 1, 2), date(2026, 2, 2), date(2026, 1, 20)),
        (date(2026, 1, 31), date(2026, 2, 2), date(2026, 3, 2), date(2026, 2, 20)),
        (date(2028, 2, 29), date(2028, 3, 2), date(2028, 4, 2), date(2028, 3, 20)),
    ],
)
def test_the_next_restore_and_the_restore_that_gets_todays_changes(
    today, next_restore, changes_restore, changes_by
):
    restore = schedules.next_sandbox_restore(pacific(today.year, today.month, today.day, 12))
    assert restore.next_restore == next_restore
    assert restore.changes_restore == changes_restore
    assert restore.changes_by == changes_by
    assert restore.restore_is_today is (today == next_restore)


def test_the_restore_date_counts_days_in_pacific_time():
    # 05:00 UTC on 3 November is still 2 November in California: the restore is today.
    restore = schedules.next_sandbox_restore(utc(2025, 11, 3, 5))
    assert restore.today == date(2025, 11, 2)
    assert restore.restore_is_today


# --- API support hours ---


@pytest.mark.parametrize(
    ("now", "is_open", "changes_at"),
    [
        (pacific(2025, 3, 3, 7, 59, 59), False, pacific(2025, 3, 3, 8)),  # Monday morning
        (pacific(2025, 3, 3, 8), True, pacific(2025, 3, 3, 17)),
        (pacific(2025, 3, 3, 16, 59, 59), True, pacific(2025, 3, 3, 17)),
        (pacific(2025, 3, 3, 17), False, pacific(2025, 3, 4, 8)),
        (pacific(2025, 3, 7, 17), False, pacific(2025, 3, 10, 8)),  # Friday evening
        (pacific(2025, 3, 8, 12), False, pacific(2025, 3, 10, 8)),  # Saturday
        (pacific(2025, 3, 9, 23, 59), False, pacific(2025, 3, 10, 8)),  # Sunday night
    ],
)
def test_support_is_open_from_8am_to_5pm_pacific_on_weekdays(now, is_open, changes_at):
    status = schedules.support_status(now)
    assert status.is_open is is_open
    assert status.changes_at == changes_at


def test_support_hours_follow_pacific_time_across_the_dst_change():
    # 8am Pacific is 16:00 UTC in winter and 15:00 UTC from 9 March 2025.
    assert schedules.support_status(utc(2025, 3, 7, 15, 30)).is_open is False
    assert schedules.support_status(utc(2025, 3, 10, 15, 30)).is_open is True
    status = schedules.support_status(utc(2025, 3, 8, 12))
    assert status.changes_at.astimezone(UTC) == utc(2025, 3, 10, 15)


def test_support_hours_in_another_timezone():
    status = schedules.support_status(utc(2025, 3, 3, 20))  # Monday 12:00 Pacific
    opens, closes = status.hours
    paris = ZoneInfo("Europe/Paris")
    assert opens.astimezone(paris).strftime("%a %H:%M") == "Mon 17:00"
    assert closes.astimezone(paris).strftime("%a %H:%M") == "Tue 02:00"
    assert status.changes_in_words == "5 hours"
