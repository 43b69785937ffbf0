"""/tools/: the list of tools, and whether support is open and when the sandbox is restored."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.html import parse

PACIFIC = ZoneInfo("America/Los_Angeles")


def answers_of(response) -> str:
    return parse(response.content).find("div", id="tool-answers").markup


@pytest.fixture
def at(time_machine):
    """Stop the clock at a Pacific wall-clock time."""

    def move(*args):
        time_machine.move_to(datetime(*args, tzinfo=PACIFIC), tick=False)

    return move


def test_it_lists_the_tools(client, faq):
    response = client.get("/tools/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/tools/token-expiry/">Token-expiry calculator</a>' in html
    assert '<a href="/tools/error-codes/">Error-code lookup</a>' in html
    assert 'name="tz" value="UTC"' in html and "data-fill-browser-timezone" in html


def test_the_site_links_to_the_tools(client, faq):
    html = client.get("/").content.decode()
    assert '<a href="/tools/">Tools</a>' in html
    assert 'href="/tools/token-expiry/"' in html
    assert 'href="/tools/error-codes/"' in html


def test_support_is_open_on_a_weekday_morning_and_says_when_it_closes(client, faq, at):
    at(2025, 3, 4, 10, 0)  # Tuesday 10am Pacific
    answers = answers_of(client.get("/tools/", {"tz": "Europe/Paris"}))
    assert "<strong>Yes, open now.</strong> It closes at 02:00 CET (5pm Pacific), in 7 hours." in (
        answers
    )
    assert "which is Tuesday 17:00 to Wednesday 02:00 CET in Europe/Paris" in answers
    assert "It is Tuesday 19:00 CET in Europe/Paris." in answers
    assert 'href="/faq/api-support-hours/"' in answers


def test_support_is_closed_at_5pm_on_friday_until_monday(client, faq, at):
    at(2025, 3, 7, 17, 0)
    answers = answers_of(client.get("/tools/", {"tz": "Asia/Tokyo"}))
    assert "<strong>No, closed now.</strong> It opens Tuesday 11 March, 00:00 JST" in answers
    # 63 hours on the wall clock, but the clocks go forward on Sunday 9 March.
    assert "(8am Pacific), in 2 days, 14 hours." in answers


def test_times_are_in_utc_until_a_timezone_is_chosen(client, faq, at):
    at(2025, 3, 4, 7, 59)
    answers = answers_of(client.get("/tools/"))
    assert "It opens Tuesday 4 March, 16:00 UTC (8am Pacific), in 1 minute." in answers
    # UTC once: the zone's abbreviation says it, so "in UTC" after it would say it twice.
    assert "which is Tuesday 16:00 to Wednesday 01:00 UTC. Write to" in answers
    assert "It is Tuesday 15:59 UTC." in answers
    assert "UTC in UTC" not in answers


def test_in_pacific_time_the_hours_are_not_repeated(client, faq, at):
    at(2025, 3, 4, 9, 0)
    answers = answers_of(client.get("/tools/", {"tz": "america/los_angeles"}))
    assert "It closes at 17:00 PST, in 8 hours." in answers
    assert "(5pm Pacific)" not in answers and "which is" not in answers


def test_the_next_restore_before_the_20th_takes_todays_changes(client, faq, at):
    at(2025, 11, 20, 23, 59)
    answers = answers_of(client.get("/tools/"))
    assert "<strong>On or about Tuesday 2 December 2025.</strong>" in answers
    assert "Production changes made by Thursday 20 November will be in it." in answers
    assert 'href="/faq/monthly-sandbox-restore/"' in answers


def test_after_the_20th_todays_changes_wait_for_the_restore_after(client, faq, at):
    at(2025, 12, 21, 0, 1)
    answers = answers_of(client.get("/tools/"))
    assert "<strong>On or about Friday 2 January 2026.</strong>" in answers
    assert (
        "they will be in the restore on or about 2 February 2026, if made by Tuesday 20 January"
        in (answers)
    )


def test_on_the_2nd_the_restore_is_today(client, faq, at):
    at(2026, 1, 2, 9, 0)
    assert "<strong>Due today, Friday 2 January 2026.</strong>" in answers_of(client.get("/tools/"))


def test_the_answers_are_worked_out_at_each_request(client, faq, at):
    at(2025, 3, 4, 16, 59)
    assert "Yes, open now." in answers_of(client.get("/tools/"))
    at(2025, 3, 4, 17, 0)
    assert "No, closed now." in answers_of(client.get("/tools/"))
    at(2025, 3, 20, 12, 0)
    assert "Production changes made by Thursday 20 March" in answers_of(client.get("/tools/"))
    at(2025, 3, 21, 12, 0)
    assert "too late for it" in answers_of(client.get("/tools/"))


def test_htmx_gets_the_answers_fragment(client, faq, at):
    at(2025, 3, 4, 10, 0)
    response = client.get("/tools/", {"tz": "Asia/Kolkata"}, htmx=True)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="tool-answers"')
    assert "<html" not in html
    assert "It closes at 06:30 IST" in html
    assert 'id="id_tz_error" aria-live="polite" hx-swap-oob="true"></div>' in html


def test_an_unknown_timezone_is_explained_and_utc_used(client, faq):
    response = client.get("/tools/", {"tz": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "“Mars/Olympus_Mons” is not a timezone we know" in html
    assert " UTC" in answers_of(response)
    htmx = client.get("/tools/", {"tz": "Nowhere"}, htmx=True)
    assert htmx.status_code == 200
    assert "is not a timezone we know" in htmx.content.decode()


def test_the_tools_answers_are_never_cached_and_only_their_empty_forms_are(client, faq):
    # /tools/ says whether support is open now; an answer is worked out from the input now.
    for url, data in [
        ("/tools/", {}),
        ("/tools/token-expiry/", {"issued_at": "2025-03-04T10:00:00Z"}),
        ("/tools/error-codes/", {"q": "429"}),
    ]:
        assert "no-cache" in client.get(url, data)["Cache-Control"], url
    # A tool without input is the same form for everybody (kb/content/caching.py).
    for url in ("/tools/token-expiry/", "/tools/error-codes/"):
        assert client.get(url)["Cache-Control"].startswith("public, max-age="), url
