"""Symptoms proposed for existing entries from the search log, accepted or dismissed in one
click on the entry's admin page; an accepted one is searchable at once."""

from django.test import Client

from kb import search
from kb.insights import symptoms
from kb.models import Entry, SearchRecord, SymptomDecision
from tests.factories import limited_client, make_entry, make_search, reader_client
from tests.html import parse
from tests.htmx import HtmxClient


def proposed(client, entry: Entry) -> list[str]:
    panel = parse(client.get(f"/admin/kb/entry/{entry.pk}/change/").content)
    section = panel.find("section", id="symptom-proposals")
    return [q.words for q in section.find_all("q")]


def opened_from(query: str, entry: Entry, rank: int, times: int = 1, **kwargs):
    for _ in range(times):
        make_search(query, results=5, opened=True, opened_entry=entry, opened_rank=rank, **kwargs)


def test_a_search_that_opened_the_entry_from_below_another_is_proposed(staff_client, db):
    entry = make_entry(slug="rate-limit", symptoms="429")
    opened_from("throttled by procore", entry, rank=3, times=2)
    opened_from("too many requests", entry, rank=2)
    opened_from("rate limit", entry, rank=1)  # search already put it first
    assert proposed(staff_client, entry) == ["throttled by procore", "too many requests"]
    row = parse(staff_client.get(f"/admin/kb/entry/{entry.pk}/change/").content).find(
        "section", id="symptom-proposals"
    )
    assert "opened although another entry was ranked above it" in row.words


def test_what_a_developer_searched_first_in_vain_is_proposed(indexed_faq):
    """Through the pages: a fruitless search, then one that leads to the entry."""
    browser = reader_client()
    browser.get("/search/", {"q": "xyzzy token plugh"})
    results = parse(browser.get("/search/", {"q": "invalid_grant"}).content)
    browser.get(results.find("a", cls="result-link").attrs["href"])

    entry = Entry.objects.get(slug="refresh-token-invalid")
    first = SearchRecord.objects.get(query="xyzzy token plugh")
    assert SearchRecord.objects.get(query="invalid_grant").follows == first
    found = symptoms.proposals(entry)
    assert [(p.query, p.reasons) for p in found] == [
        ("xyzzy token plugh", [symptoms.AFTER_FRUITLESS])
    ]


def test_a_successful_search_before_is_not_a_first_try(indexed_faq):
    browser = reader_client()
    results = parse(browser.get("/search/", {"q": "429"}).content)
    browser.get(results.find("a", cls="result-link").attrs["href"])
    browser.get("/search/", {"q": "invalid_grant"})
    assert SearchRecord.objects.get(query="invalid_grant").follows is None


def test_symptoms_the_entry_has_and_decided_queries_are_not_proposed(staff_client, db):
    entry = make_entry(slug="rate-limit", symptoms="Too Many Requests")
    opened_from("too many requests", entry, rank=2)
    opened_from("dismissed before", entry, rank=2)
    SymptomDecision.objects.create(entry=entry, query="dismissed before", accepted=False)
    assert proposed(staff_client, entry) == []


def test_accepting_adds_the_symptom_saves_a_revision_and_search_uses_it(
    staff_client, indexed_faq, django_capture_on_commit_callbacks
):
    entry = Entry.objects.get(slug="rate-limit-429")
    query = "procore keeps refusing my calls after a while"
    opened_from(query, entry, rank=4, times=3)
    assert search.search(query).hits[0].slug != "rate-limit-429"
    form = (
        parse(staff_client.get(f"/admin/kb/entry/{entry.pk}/change/").content)
        .find("section", id="symptom-proposals")
        .find("form")
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(form.attrs["action"], {"query": query, "decision": "accept"})

    assert response.status_code == 302
    assert response["Location"].endswith("#symptom-proposals")
    entry.refresh_from_db()
    assert entry.symptom_list[-1] == query
    revision = entry.history.first()
    assert revision.history_change_reason == f"Accepted the proposed symptom “{query}”"
    assert revision.history_user.username == "engineer"
    assert SymptomDecision.objects.get().accepted is True
    assert search.search(query).hits[0].slug == "rate-limit-429"
    assert proposed(staff_client, entry) == []


def test_dismissing_keeps_the_entry_and_stops_the_proposal(staff_client, db):
    entry = make_entry(slug="rate-limit", symptoms="429")
    opened_from("too many requests", entry, rank=2)
    response = staff_client.post(
        f"/admin/kb/entry/{entry.pk}/symptoms/",
        {"query": "too many requests", "decision": "dismiss"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.symptom_list == ["429"]
    assert proposed(staff_client, entry) == []
    assert SymptomDecision.objects.get().accepted is False


def test_with_htmx_the_panel_is_swapped_and_names_the_accepted_symptom(staff_user, db):
    entry = make_entry(slug="rate-limit", symptoms="429")
    opened_from("too many requests", entry, rank=2)
    opened_from("throttled", entry, rank=2)
    client = HtmxClient()
    client.force_login(staff_user)
    response = client.post(
        f"/admin/kb/entry/{entry.pk}/symptoms/",
        {"query": "too many requests", "decision": "accept"},
        htmx=True,
    )
    assert response.status_code == 200
    section = parse(response.content).find("section", id="symptom-proposals")
    assert section.attrs["data-accepted-symptom"] == "too many requests"
    assert [q.words for q in section.find_all("q")] == ["throttled"]
    assert "added to the symptoms" in section.find("p", cls="proposal-done").words


def test_a_query_that_is_not_proposed_is_refused(staff_client, staff_user, db):
    entry = make_entry(slug="rate-limit", symptoms="429")
    response = staff_client.post(
        f"/admin/kb/entry/{entry.pk}/symptoms/", {"query": "anything I like", "decision": "accept"}
    )
    assert response.status_code == 400
    assert "is not proposed for this entry" in parse(response.content).find(cls="errornote").words
    bad = staff_client.post(f"/admin/kb/entry/{entry.pk}/symptoms/", {"decision": "maybe"})
    assert bad.status_code == 400
    client = HtmxClient()
    client.force_login(staff_user)
    fragment = client.post(
        f"/admin/kb/entry/{entry.pk}/symptoms/", {"query": "x", "decision": "accept"}, htmx=True
    )
    assert fragment.status_code == 400
    assert parse(fragment.content).find("section", id="symptom-proposals")
    entry.refresh_from_db()
    assert entry.symptom_list == ["429"] and not SymptomDecision.objects.exists()


def test_deciding_needs_the_change_permission(db):
    entry = make_entry(slug="rate-limit", symptoms="429")
    opened_from("too many requests", entry, rank=2)
    viewer = limited_client("viewer", "view_entry")
    section = parse(viewer.get(f"/admin/kb/entry/{entry.pk}/change/").content).find(
        "section", id="symptom-proposals"
    )
    assert [q.words for q in section.find_all("q")] == ["too many requests"]
    assert section.find_all("button") == []
    response = viewer.post(
        f"/admin/kb/entry/{entry.pk}/symptoms/",
        {"query": "too many requests", "decision": "accept"},
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.symptom_list == ["429"] and not SymptomDecision.objects.exists()
    assert Client().post(f"/admin/kb/entry/{entry.pk}/symptoms/").status_code == 302


def test_the_decision_url_takes_only_posts(staff_client, db):
    entry = make_entry()
    assert staff_client.get(f"/admin/kb/entry/{entry.pk}/symptoms/").status_code == 405
