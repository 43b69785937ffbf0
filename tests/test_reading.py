"""Counting readers: entry views, reading sessions and what is read next, by a middleware once
the response is built; and the related entries each entry page shows."""

import time
from datetime import timedelta

from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from kb.editorial import counters
from kb.editorial.reading import TRAIL_COOKIE, ReadingMiddleware
from kb.models import Entry, ReadingDay, ReadNext
from tests.factories import BROWSER_USER_AGENT, make_category, make_entry, reader_client
from tests.html import parse


def counts(slug: str) -> tuple[int, int]:
    day = ReadingDay.objects.filter(entry__slug=slug, day=timezone.localdate()).first()
    return (day.views, day.sessions) if day else (0, 0)


def test_a_reading_counts_a_view_and_a_session(reader, db):
    make_entry(slug="rate-limit")
    response = reader.get("/faq/rate-limit/")
    assert response.status_code == 200
    assert counts("rate-limit") == (1, 1)
    cookie = response.cookies[TRAIL_COOKIE]
    assert cookie["max-age"] == 1800 and cookie["httponly"]


def test_reading_on_within_the_session_counts_views_and_what_was_read_next(reader, db):
    first, second = make_entry(slug="first"), make_entry(slug="second", question="Second?")
    reader.get("/faq/first/")
    reader.get("/faq/first/")
    reader.get("/faq/second/")
    assert counts("first") == (2, 1)
    assert counts("second") == (1, 0)
    pair = ReadNext.objects.get()
    assert (pair.from_entry, pair.to_entry, pair.count) == (first, second, 1)


def test_a_new_browser_is_a_new_session(db):
    make_entry(slug="rate-limit")
    reader_client().get("/faq/rate-limit/")
    reader_client().get("/faq/rate-limit/")
    assert counts("rate-limit") == (2, 2)


def test_a_forged_trail_is_a_new_session_and_no_pair(reader, db):
    make_entry(slug="first")
    make_entry(slug="second", question="Second?")
    reader.cookies[TRAIL_COOKIE] = "first"
    reader.get("/faq/second/")
    assert counts("second") == (1, 1)
    assert not ReadNext.objects.exists()


def test_staff_crawlers_and_scripts_are_not_counted(staff_client, db):
    make_entry(slug="rate-limit")
    staff_client.get("/faq/rate-limit/", HTTP_USER_AGENT=BROWSER_USER_AGENT)
    Client().get("/faq/rate-limit/")  # no User-Agent
    Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)").get("/faq/rate-limit/")
    Client(HTTP_USER_AGENT="curl/8.5.0").get("/faq/rate-limit/")
    assert not ReadingDay.objects.exists()


def test_drafts_missing_pages_and_other_pages_are_not_counted(reader, db):
    make_entry(slug="draft", status=Entry.Status.DRAFT)
    make_entry(slug="public", question="Public?")
    assert reader.get("/faq/draft/").status_code == 404
    assert reader.get("/faq/nothing-here/").status_code == 404
    reader.get("/")
    reader.get("/c/testing/")
    reader.post("/faq/public/feedback/", {"helpful": "yes"})
    assert not ReadingDay.objects.exists()


def test_a_revalidated_page_counts_and_stays_revalidated(reader, db):
    from tests.test_caching import revisit

    make_entry(slug="rate-limit")
    make_entry(slug="other", question="Other?")
    etag = revisit(reader, "/faq/rate-limit/")
    reader.get("/faq/other/")  # the trail cookie now names another entry
    again = reader.get("/faq/rate-limit/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304, "the reading trail does not change what a page says"
    assert counts("rate-limit") == (2, 1)  # the visit and the revalidated one


def test_it_counts_a_page_that_a_cache_served_before_the_url_was_resolved(db):
    # A cache middleware below this one answers before Django resolves the URL: the middleware
    # finds the entry from the path itself.
    make_entry(slug="rate-limit")
    request = RequestFactory().get("/faq/rate-limit/", HTTP_USER_AGENT=BROWSER_USER_AGENT)
    middleware = ReadingMiddleware(lambda request: HttpResponse("from the cache"))
    response = middleware(request)
    assert response.content == b"from the cache"
    assert counts("rate-limit") == (1, 1)
    assert TRAIL_COOKIE in response.cookies


def test_the_page_is_served_when_the_count_cannot_be_written(reader, db):
    make_entry(slug="rate-limit")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {ReadingDay._meta.db_table}")
    response = reader.get("/faq/rate-limit/")
    assert response.status_code == 200
    assert "How do I test my integration?" in response.content.decode()


def test_writing_a_reading_is_one_upsert_and_no_read(reader, db):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    make_entry(slug="rate-limit")
    for _ in range(2):  # the day's first reading, then a later one
        with CaptureQueriesContext(conn) as queries:
            reader.get("/faq/rate-limit/")
        counting = [q["sql"] for q in queries.captured_queries if "kb_readingday" in q["sql"]]
        assert len(counting) == 1
        assert "INSERT INTO kb_readingday" in counting[0]
        assert "ON CONFLICT (entry_id, day) DO UPDATE" in counting[0]
    assert counts("rate-limit") == (2, 1)


def test_readings_are_counted_in_memory_and_written_in_one_batch(reader, db, settings):
    settings.KB_READING_FLUSH_SECONDS = 3600
    make_entry(slug="first")
    make_entry(slug="second", question="Second?")
    for slug in ("first", "first", "second"):
        reader.get(f"/faq/{slug}/")
    reader_client().get("/faq/first/")
    assert not ReadingDay.objects.exists() and not ReadNext.objects.exists()

    assert counters.flush() == 3  # two entries' days, one pair
    assert (counts("first"), counts("second")) == ((3, 2), (1, 0))
    assert ReadNext.objects.get().count == 1
    assert counters.flush() == 0


def test_a_timer_writes_the_counts_soon_after(transactional_db, settings):
    settings.KB_READING_FLUSH_SECONDS = 0.2
    make_entry(slug="rate-limit")
    reader_client().get("/faq/rate-limit/")
    deadline = time.monotonic() + 10
    while counts("rate-limit") == (0, 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert counts("rate-limit") == (1, 1)


def test_counts_the_database_refuses_are_kept_for_the_next_try(reader, db, settings):
    settings.KB_READING_FLUSH_SECONDS = 3600
    make_entry(slug="rate-limit")
    reader.get("/faq/rate-limit/")
    table = ReadingDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO kb_elsewhere")
    assert counters.flush() == 0
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE kb_elsewhere RENAME TO {table}")
    assert counters.flush() == 1
    assert counts("rate-limit") == (1, 1)


# Related entries


def related_lists(client, slug: str) -> dict[str, list[str]]:
    aside = parse(client.get(f"/faq/{slug}/").content).find("aside", cls="sidebar")
    lists, title = {}, None
    for element in aside.children:
        if element.tag == "h2":
            title = element.words
        elif element.tag == "ul":
            lists[title] = [a.attrs["href"] for a in element.find_all("a")]
    return lists


def read_next(from_entry, to_entry, readers: int, days_ago: int = 1):
    ReadNext.objects.create(
        from_entry=from_entry,
        to_entry=to_entry,
        day=timezone.localdate() - timedelta(days=days_ago),
        count=readers,
    )


def test_related_entries_are_what_readers_open_next(client, empty_db):
    here = make_entry(slug="here", symptoms="alpha")
    category = make_category(name="Elsewhere")
    often = make_entry(slug="often", question="Often?", category=category)
    sometimes = make_entry(slug="sometimes", question="Sometimes?", category=category)
    once = make_entry(slug="once", question="Once?", category=category)
    read_next(here, often, 5)
    read_next(here, sometimes, 2)
    read_next(here, once, 1)  # one reader's path is an anecdote
    assert related_lists(client, "here") == {
        "Related questions": ["/faq/often/", "/faq/sometimes/"]
    }


def test_todays_reading_changes_the_list_only_tomorrow(client, empty_db):
    here = make_entry(slug="here")
    other = make_entry(slug="other", question="Other?", category=make_category(name="B"))
    read_next(here, other, 10, days_ago=0)
    assert related_lists(client, "here") == {}


def test_entries_sharing_rare_symptoms_come_next_then_the_category(client, empty_db):
    category = make_category(name="Auth")
    make_entry(slug="here", category=category, symptoms="invalid_grant\nrefresh token expired\n401")
    make_entry(
        slug="twin",
        question="Twin?",
        category=make_category(name="Other"),
        symptoms="invalid_grant refresh token",
    )
    make_entry(slug="unrelated", question="Unrelated?", category=category, symptoms="webhooks")
    make_entry(slug="far", question="Far?", category=make_category(name="Far"), symptoms="cors")
    assert related_lists(client, "here") == {
        "Related questions": ["/faq/twin/"],
        "More in Auth": ["/faq/unrelated/"],
    }


def test_related_entries_are_few_and_never_drafts(client, db):
    here = make_entry(slug="here")
    for n in range(8):
        other = make_entry(slug=f"other-{n}", question=f"Other {n}?")
        read_next(here, other, 10 - n)
    draft = make_entry(slug="draft", question="Draft?", status=Entry.Status.DRAFT)
    read_next(here, draft, 50)
    lists = related_lists(client, "here")
    assert lists == {"Related questions": [f"/faq/other-{n}/" for n in range(5)]}


def test_the_related_list_is_the_same_for_every_reader(db):
    here = make_entry(slug="here")
    make_entry(slug="other", question="Other?")
    read_next(here, Entry.objects.get(slug="other"), 3)
    first, second = reader_client(), Client()
    second.get("/faq/other/")
    assert related_lists(first, "here") == related_lists(second, "here")
