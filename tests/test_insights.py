from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kb.insights.search_log import mark_opened, normalize_query, record_search, result_token
from kb.models import SearchRecord
from tests.factories import make_entry, make_search


@pytest.mark.parametrize(
    "raw, normalized",
    [
        ("  Invalid_Grant  ", "invalid_grant"),
        ("429\n\tToo   Many Requests", "429 too many requests"),
        ("CORS\x00error", "cors error"),
        ("x" * 5000, "x" * 200),
    ],
)
def test_it_normalizes_queries(raw, normalized):
    assert normalize_query(raw) == normalized


def test_it_records_the_normalized_query_and_the_count(db):
    search_id = record_search("  Refresh   TOKEN ", 4)
    record = SearchRecord.objects.get(pk=search_id)
    assert (record.query, record.results, record.opened) == ("refresh token", 4, False)
    assert timezone.now() - record.created < timedelta(minutes=1)


@pytest.mark.parametrize("query", ["", "   ", "\n\t", None])
def test_it_skips_empty_queries(db, query):
    assert record_search(query, 0) is None
    assert SearchRecord.objects.count() == 0


def test_it_stores_nothing_about_the_searcher(db):
    fields = {field.name for field in SearchRecord._meta.get_fields()}
    # Which result was opened first and from which place, and the same browser's previous
    # fruitless search: facts about searches, none about the searcher.
    assert fields == {
        "id",
        "query",
        "answered",
        "first_entry",
        "results",
        "opened",
        "created",
        "opened_entry",
        "opened_rank",
        "follows",
    }


def test_opening_a_result_marks_the_search(client, db):
    entry = make_entry(slug="rate-limit", question="Rate limits?")
    search_id = record_search("429", 1)
    response = client.get("/faq/rate-limit/", {"sq": result_token(search_id, 1, "rate-limit")})
    assert response.status_code == 200
    record = SearchRecord.objects.get(pk=search_id)
    assert (record.opened, record.opened_entry, record.opened_rank) == (True, entry, 1)


def test_opening_a_draft_as_staff_marks_nothing(staff_client, db):
    from kb.models import Entry

    make_entry(slug="draft", status=Entry.Status.DRAFT)
    search_id = record_search("draft", 1)
    token = result_token(search_id, 1, "draft")
    assert staff_client.get("/faq/draft/", {"sq": token}).status_code == 200
    assert not SearchRecord.objects.get(pk=search_id).opened


@pytest.mark.parametrize(
    "junk", ["", "abc", "-1", "1.5", "٣", "99999999999999999999999", "1e3", " 1", "1;DROP"]
)
def test_junk_search_ids_are_ignored(client, db, junk):
    make_entry(slug="rate-limit")
    record = make_search("429")
    assert client.get("/faq/rate-limit/", {"sq": junk}).status_code == 200
    mark_opened(junk, "rate-limit")
    mark_opened(None, "rate-limit")
    record.refresh_from_db()
    assert not record.opened


def test_an_unknown_search_id_is_ignored(client, db):
    make_entry(slug="rate-limit")
    assert client.get("/faq/rate-limit/?sq=12345").status_code == 200
    assert not SearchRecord.objects.filter(opened=True).exists()


def test_an_old_search_is_not_marked_by_a_bookmarked_link(db):
    record = make_search("429", created=timezone.now() - timedelta(days=2))
    mark_opened(result_token(record.pk, 1, "rate-limit"), "rate-limit")
    record.refresh_from_db()
    assert not record.opened


# The admin page


def test_the_insights_page_lists_top_fruitless_and_unopened_queries(staff_client, db):
    for _ in range(3):
        make_search("rate limit", results=2, opened=True)
    make_search("rate limit", results=2)
    make_search("webhook retries", results=0)
    make_search("webhook retries", results=0)
    make_search("cors preflight", results=5)
    make_search("too old", results=0, created=timezone.now() - timedelta(days=40))

    response = staff_client.get("/admin/kb/searchrecord/")
    assert response.status_code == 200
    sections = response.context
    assert [row["query"] for row in sections["top_queries"]] == [
        "rate limit",
        "webhook retries",
        "cors preflight",
    ]
    assert sections["top_queries"][0]["searches"] == 4
    assert sections["top_queries"][0]["opened_count"] == 3
    assert [row["query"] for row in sections["without_results"]] == ["webhook retries"]
    assert [row["query"] for row in sections["never_opened"]] == ["cors preflight"]

    html = response.content.decode()
    assert '<a href="/search/?q=webhook%20retries">webhook retries</a>' in html
    assert "too old" not in html
    assert "7 public searches in the last 30 days" in html


def test_the_insights_page_shows_the_chosen_period(staff_client, db):
    make_search("recent")
    make_search("last month", created=timezone.now() - timedelta(days=20))
    make_search("last quarter", created=timezone.now() - timedelta(days=80))

    week = staff_client.get("/admin/kb/searchrecord/", {"days": 7}).content.decode()
    assert "recent" in week and "last month" not in week
    quarter = staff_client.get("/admin/kb/searchrecord/", {"days": 90}).content.decode()
    assert "last month" in quarter and "last quarter" in quarter


@pytest.mark.parametrize("days", ["abc", "5", "-30", "", "9" * 50])
def test_an_odd_period_falls_back_to_30_days(staff_client, db, days):
    make_search("last month", created=timezone.now() - timedelta(days=20))
    make_search("last quarter", created=timezone.now() - timedelta(days=80))
    response = staff_client.get("/admin/kb/searchrecord/", {"days": days})
    assert response.status_code == 200
    html = response.content.decode()
    assert "last month" in html and "last quarter" not in html


def test_query_text_is_escaped_on_the_insights_page(staff_client, db):
    record_search('<script>alert("x")</script>', 0)
    html = staff_client.get("/admin/kb/searchrecord/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_the_insights_page_is_linked_from_the_admin_index(staff_client, db):
    html = staff_client.get("/admin/").content.decode()
    assert 'href="/admin/kb/searchrecord/"' in html
    assert "Search insights" in html


def test_visitors_who_are_not_staff_cannot_see_the_insights(visitor_client, db):
    make_search("secret query")
    response = visitor_client.get("/admin/kb/searchrecord/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    anonymous = Client().get("/admin/kb/searchrecord/")
    assert anonymous.status_code == 302
    assert b"secret query" not in response.content + anonymous.content


def test_engineers_cannot_edit_or_delete_search_records(staff_client, db):
    record = make_search("429")
    assert staff_client.get("/admin/kb/searchrecord/add/").status_code == 403
    staff_client.post(f"/admin/kb/searchrecord/{record.pk}/delete/", {"post": "yes"})
    assert SearchRecord.objects.filter(pk=record.pk).exists()


# Retention


def test_the_prune_command_deletes_records_older_than_the_retention(db, settings):
    settings.KB_SEARCH_LOG_RETENTION_DAYS = 90
    now = timezone.now()
    kept = [
        make_search("today"),
        make_search("89 days", created=now - timedelta(days=89)),
    ]
    make_search("91 days", created=now - timedelta(days=91))
    make_search("a year", created=now - timedelta(days=365))

    call_command("prune_search_log", verbosity=0)
    assert list(SearchRecord.objects.order_by("pk")) == kept


def test_the_retention_is_a_setting(db, settings, capsys):
    settings.KB_SEARCH_LOG_RETENTION_DAYS = 7
    make_search("10 days", created=timezone.now() - timedelta(days=10))
    make_search("today")
    call_command("prune_search_log")
    assert "Deleted 1 search record older than 7 days" in capsys.readouterr().out
    assert list(SearchRecord.objects.values_list("query", flat=True)) == ["today"]


def test_the_prune_command_takes_a_one_off_period(db):
    make_search("10 days", created=timezone.now() - timedelta(days=10))
    call_command("prune_search_log", days=5, verbosity=0)
    assert not SearchRecord.objects.exists()


def test_the_prune_command_refuses_a_period_below_one_day(db):
    from django.core.management import CommandError

    make_search("today")
    with pytest.raises(CommandError, match="1 or more"):
        call_command("prune_search_log", days=0)
    assert SearchRecord.objects.count() == 1


@pytest.mark.parametrize("value, expected", [("", 90), ("30", 30)])
def test_the_retention_setting_is_read_from_the_environment(monkeypatch, value, expected):
    from kb import settings as kb_settings

    monkeypatch.setenv("KB_SEARCH_LOG_RETENTION_DAYS", value)
    assert kb_settings.envpositive("KB_SEARCH_LOG_RETENTION_DAYS", 90) == expected


@pytest.mark.parametrize("value", ["ninety", "0", "-5", "1.5"])
def test_a_bad_retention_setting_stops_the_start_up(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from kb import settings as kb_settings

    monkeypatch.setenv("KB_SEARCH_LOG_RETENTION_DAYS", value)
    with pytest.raises(ImproperlyConfigured, match="KB_SEARCH_LOG_RETENTION_DAYS"):
        kb_settings.envpositive("KB_SEARCH_LOG_RETENTION_DAYS", 90)
