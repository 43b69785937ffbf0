"""Measured deflection on the insights page: the self-service score (reading sessions per
escalation) and its trend, and per entry views, searches, votes and escalations; checked on a
seeded log, and end to end through the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kb.models import Entry, Escalation, Feedback, ReadingDay
from kb.support import deflection
from tests.factories import days_ago, make_category, make_entry, make_search, reader_client
from tests.html import parse


def read(entry, days: int, views: int, sessions: int):
    ReadingDay.objects.create(
        entry=entry,
        day=timezone.localdate() - timedelta(days=days),
        views=views,
        sessions=sessions,
    )


def escalate(entry, days: int, times: int = 1):
    for _ in range(times):
        Escalation.objects.create(channel="form", entry=entry, created=days_ago(days))


def vote(entry, helpful: bool, days: int = 0):
    key = f"visitor-{Feedback.objects.count()}"
    feedback = Feedback.objects.create(entry=entry, visitor_key=key, helpful=helpful)
    Feedback.objects.filter(pk=feedback.pk).update(updated=days_ago(days))


@pytest.fixture
def seeded_log(db):
    """Three entries, a month and more of readings, votes, searches and escalations."""
    rate = make_entry(slug="rate", question="Rate limits?", category=make_category(name="A"))
    cors = make_entry(slug="cors", question="CORS?", category=make_category(name="B"))
    hooks = make_entry(slug="hooks", question="Webhooks?", category=make_category(name="C"))
    read(rate, 0, views=10, sessions=6)
    read(rate, 3, views=4, sessions=2)
    read(rate, 10, views=8, sessions=5)
    read(rate, 40, views=100, sessions=100)  # before the period
    read(cors, 1, views=5, sessions=3)
    escalate(rate, 0, times=2)
    escalate(cors, 10)
    escalate(None, 1)
    escalate(rate, 40, times=5)  # before the period
    for n in range(3):
        make_search("429", opened=True, opened_entry=rate, opened_rank=1, created=days_ago(n))
    make_search("429", opened=True, opened_entry=rate, opened_rank=1, created=days_ago(45))
    make_search("cors", opened=True, opened_entry=cors, opened_rank=2)
    vote(rate, True)
    vote(rate, False)
    vote(rate, False, days=5)
    vote(rate, False, days=50)  # before the period
    vote(hooks, False)
    return rate, cors, hooks


def test_the_score_is_reading_sessions_per_escalation(seeded_log):
    figures = deflection.figures(30)
    score = figures["self_service"]
    assert (score.sessions, score.escalations, score.value) == (16, 4, 4.0)


def test_the_trend_is_weekly_for_a_month(seeded_log):
    today = timezone.localdate()
    trend = deflection.figures(30)["self_service_trend"]
    assert [(s.start, s.end) for s in trend] == [
        (today - timedelta(days=29), today - timedelta(days=28)),
        (today - timedelta(days=27), today - timedelta(days=21)),
        (today - timedelta(days=20), today - timedelta(days=14)),
        (today - timedelta(days=13), today - timedelta(days=7)),
        (today - timedelta(days=6), today),
    ]
    assert [(s.sessions, s.escalations, s.value) for s in trend] == [
        (0, 0, None),
        (0, 0, None),
        (0, 0, None),
        (5, 1, 5.0),
        (11, 3, 3.7),
    ]


def test_the_trend_is_daily_for_a_week(seeded_log):
    trend = deflection.figures(7)["self_service_trend"]
    assert len(trend) == 7
    assert all(s.start == s.end for s in trend)
    assert [s.sessions for s in trend][-4:] == [2, 0, 3, 6]


def test_the_figures_per_entry_put_failing_answers_first(seeded_log):
    rate, cors, hooks = seeded_log
    rows = deflection.figures(30)["entry_figures"]
    assert [
        (r.entry, r.views, r.searches, r.helpful, r.unhelpful, r.escalations) for r in rows
    ] == [
        (rate, 22, 3, 1, 2, 2),
        (cors, 5, 1, 0, 0, 1),
        (hooks, 0, 0, 0, 1, 0),
    ]
    assert [r.views_per_escalation for r in rows] == [11.0, 5.0, None]


def test_the_insights_page_shows_the_score_its_trend_and_the_entries(staff_client, seeded_log):
    page = parse(staff_client.get("/admin/kb/searchrecord/").content)
    assert page.find("p", cls="self-service-score").words == "4.0 sessions per escalation"
    assert "16 reading sessions, 4 escalations in the last 30 days." in page.words
    trend = page.find("table", cls="trend-table").find("tbody").find_all("tr")
    assert [row.find_all("td")[3].words for row in trend] == ["—", "—", "—", "5.0", "3.7"]
    meter = trend[-1].find("meter")
    assert (meter.attrs["value"], meter.attrs["max"]) == ("3.7", "5.0")
    first = page.find("table", cls="entry-figures").find("tbody").find("tr")
    assert [td.words for td in first.find_all("td")] == [
        "Rate limits?",
        "22",
        "3",
        "1",
        "2",
        "2",
        "11.0",
    ]


def test_the_period_changes_the_figures(staff_client, seeded_log):
    page = parse(staff_client.get("/admin/kb/searchrecord/", {"days": 90}).content)
    assert page.find("p", cls="self-service-score").words == "12.9 sessions per escalation"


def test_without_escalations_there_is_no_ratio(staff_client, db):
    read(make_entry(), 0, views=3, sessions=2)
    page = parse(staff_client.get("/admin/kb/searchrecord/").content)
    assert page.find("p", cls="self-service-score").words == "No escalations"


def test_readers_and_an_escalation_through_the_pages(staff_client, indexed_faq):
    """The figures come from what readers do, counted by the middleware and the support form."""
    first = reader_client()
    first.get("/faq/rate-limit-429/")
    first.get("/faq/rate-limit-429/")
    first.get("/faq/cors-support/")
    second = reader_client()
    second.get("/faq/rate-limit-429/")
    second.post("/support/", {"email": "dev@example.com", "message": "Still failing", "entry": ""})

    page = parse(staff_client.get("/admin/kb/searchrecord/").content)
    assert page.find("p", cls="self-service-score").words == "2.0 sessions per escalation"
    rows = {
        row.find("td").words: [td.words for td in row.find_all("td")[1:]]
        for row in page.find("table", cls="entry-figures").find("tbody").find_all("tr")
    }
    rate_limit = Entry.objects.get(slug="rate-limit-429").question
    cors = Entry.objects.get(slug="cors-support").question
    assert rows[rate_limit] == ["3", "0", "0", "0", "1", "3.0"]
    assert rows[cors] == ["1", "0", "0", "0", "0", "—"]
