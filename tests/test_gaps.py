"""Gaps: fruitless searches grouped into problems, ranked, turned into drafts in one click, and
shown as resolved once their searches find an entry that gets opened."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kb.insights import gaps
from kb.insights.terms import stem, terms
from kb.models import Category, Entry, HandledGap, SearchRecord
from tests.factories import limited_client, make_category, make_entry, make_search, save_in_admin
from tests.html import parse


def searched(query: str, times: int = 1, **kwargs):
    for _ in range(times):
        make_search(query, **kwargs)


def cluster_queries(days: int = 30) -> list[list[str]]:
    return [sorted(c.query_texts) for c in gaps.clusters(days)]


@pytest.mark.parametrize(
    "word, stemmed",
    [
        ("retries", "retry"),
        ("retrying", "retry"),
        ("retried", "retry"),
        ("webhooks", "webhook"),
        ("expired", "expir"),
        ("expires", "expir"),
        ("responses", "respons"),
        ("access", "access"),
    ],
)
def test_it_stems_plurals_and_verb_forms(word, stemmed):
    assert stem(word) == stemmed


def test_stopwords_and_punctuation_are_not_terms():
    assert terms("How do I get my Webhook retries?!") == {"webhook", "retry"}


def test_it_groups_the_same_words_and_shared_rare_words(db):
    searched("webhook retries", 3, results=0)
    searched("webhooks retrying", 2, results=0)
    searched("retry webhook delivery", 1, results=0)
    searched("sandbox webhook", 2, results=0)
    searched("invalid_grant refresh", 1, results=4)  # nothing opened
    # Common words found elsewhere keep the weak link ("webhook") from joining problems.
    for query in ("webhook setup", "webhook payload", "sandbox reset", "sandbox login"):
        searched(query, results=3, opened=True)
    assert cluster_queries() == [
        ["retry webhook delivery", "webhook retries", "webhooks retrying"],
        ["sandbox webhook"],
        ["invalid_grant refresh"],
    ]


def test_groups_are_ranked_by_how_many_searches_hit_them(db):
    searched("sandbox down", 2, results=0)
    searched("webhook retries", 1, results=0)
    searched("webhooks retrying", 2, results=0)
    ranked = gaps.clusters(30)
    assert [(c.label, c.fruitless) for c in ranked] == [
        ("webhooks retrying", 3),
        ("sandbox down", 2),
    ]


def test_a_query_that_mostly_succeeds_is_not_a_gap(db):
    searched("rate limit", 5, results=2, opened=True)
    searched("rate limit", 1, results=2)
    searched("cors", 1, results=2, opened=True)
    searched("cors", 1, results=2)
    assert cluster_queries() == [["cors"]]


def test_only_the_chosen_period_counts(db):
    searched("webhook retries", results=0, created=timezone.now() - timedelta(days=40))
    searched("sandbox down", results=0)
    assert cluster_queries(30) == [["sandbox down"]]
    assert cluster_queries(90) == [["sandbox down"], ["webhook retries"]]


# The page and the one-click draft


def test_the_gaps_page_lists_groups_with_a_draft_button(staff_client, empty_db):
    make_category(name="Webhooks")
    searched("webhook retries", 3, results=0)
    searched("webhooks retrying", 1, results=0)
    page = parse(staff_client.get("/admin/kb/searchrecord/gaps/").content)
    row = page.find("table", cls="gap-table").find("tbody").find("tr")
    assert row.find("td").words == "4"
    assert [a.words for a in row.find("ul").find_all("a")] == [
        "webhook retries",
        "webhooks retrying",
    ]
    assert row.find("button").words == "Create a draft"
    insights = staff_client.get("/admin/kb/searchrecord/").content.decode()
    assert 'href="/admin/kb/searchrecord/gaps/?days=30"' in insights


def test_one_click_makes_a_draft_with_the_searches_as_symptoms(staff_client, staff_user, empty_db):
    category = make_category(name="Webhooks")
    searched("webhook retries", 3, results=0)
    searched("webhooks retrying", 1, results=0)

    response = staff_client.post(
        "/admin/kb/searchrecord/gaps/draft/",
        {"query": ["webhook retries", "webhooks retrying"], "category": category.pk},
    )

    draft = Entry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/kb/entry/{draft.pk}/change/"
    assert (draft.status, draft.category, draft.owner) == ("draft", category, staff_user)
    assert draft.symptom_list == ["webhook retries", "webhooks retrying"]
    assert (draft.question, draft.slug) == ("Webhook retries", "webhook-retries")
    assert draft.history.first().history_change_reason == "Drafted from 2 unanswered searches"
    assert set(HandledGap.objects.values_list("query", "entry")) == {
        ("webhook retries", draft.pk),
        ("webhooks retrying", draft.pk),
    }
    [cluster] = gaps.clusters(30)
    assert (cluster.status, cluster.handled.entry) == ("drafted", draft)
    page = staff_client.get(response["Location"]).content.decode()
    assert "Write the question and the answer, then publish it." in page
    assert Client().get("/faq/webhook-retries/").status_code == 404, "drafts stay private"


def test_deleting_the_draft_leaves_the_group_unanswered_again(staff_client, empty_db):
    category = make_category(name="Webhooks")
    searched("webhook retries", 2, results=0)
    data = {"query": ["webhook retries"], "category": category.pk}
    staff_client.post("/admin/kb/searchrecord/gaps/draft/", data)
    assert gaps.clusters(30)[0].status == "drafted"
    Entry.objects.get().delete()
    assert gaps.clusters(30)[0].status == "open"


def test_a_second_draft_gets_a_free_slug_without_underscores(staff_client, empty_db):
    category = make_category(name="OAuth")
    make_entry(slug="invalid-grant", category=category)
    searched("invalid_grant", results=0)
    staff_client.post(
        "/admin/kb/searchrecord/gaps/draft/", {"query": ["invalid_grant"], "category": category.pk}
    )
    assert Entry.objects.filter(slug="invalid-grant-2").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"category": "1"}, "Choose a group of searches to draft an entry from."),
        ({"query": ["   "], "category": "1"}, "Choose a group of searches to draft an entry from."),
        ({"query": ["webhook retries"]}, "Choose a category."),
        ({"query": ["webhook retries"], "category": "999"}, "Choose a category."),
        ({"query": ["x" * 201], "category": "1"}, "That is not a group of searches from the log."),
    ],
)
def test_a_bad_draft_request_is_refused_with_a_message(staff_client, empty_db, data, message):
    Category.objects.create(pk=1, name="General", slug="general")
    response = staff_client.post("/admin/kb/searchrecord/gaps/draft/", data)
    assert response.status_code == 400
    assert parse(response.content).find("p", cls="errornote").words == message
    assert not Entry.objects.exists() and not HandledGap.objects.exists()


def test_making_drafts_needs_the_add_permission(empty_db):
    category = make_category(name="Webhooks")
    searched("webhook retries", results=0)
    reader = limited_client("insights-only", "view_searchrecord", "view_entry", "change_entry")
    page = parse(reader.get("/admin/kb/searchrecord/gaps/").content)
    assert page.find("table", cls="gap-table").find_all("button") == []
    response = reader.post(
        "/admin/kb/searchrecord/gaps/draft/",
        {"query": ["webhook retries"], "category": category.pk},
    )
    assert response.status_code == 403
    assert not Entry.objects.exists()


def test_the_gaps_page_needs_the_insights_view_permission(db):
    searched("secret query", results=0)
    writer = limited_client("writer", "add_entry")
    response = writer.get("/admin/kb/searchrecord/gaps/")
    assert response.status_code == 403
    assert (
        writer.post(
            "/admin/kb/searchrecord/gaps/draft/", {"query": ["secret query"], "category": "1"}
        ).status_code
        == 403
    )


def test_the_draft_url_takes_only_posts(staff_client, db):
    assert staff_client.get("/admin/kb/searchrecord/gaps/draft/").status_code == 405


# Resolution


def test_a_group_whose_latest_search_opened_an_entry_is_resolved(db):
    answer = make_entry(slug="webhook-retries", question="How do webhooks retry?")
    searched("webhook retries", 3, results=0, created=timezone.now() - timedelta(days=2))
    [cluster] = gaps.clusters(30)
    assert cluster.status == "open"
    searched("webhook retries", results=1, opened=True, opened_entry=answer)
    [cluster] = gaps.clusters(30)
    assert (cluster.status, cluster.answered_by) == ("resolved", answer)


def test_a_draft_published_from_a_group_answers_its_searches(
    staff_client, indexed_faq, django_capture_on_commit_callbacks
):
    """The whole loop, with the real index: group, draft, publish, search, open, resolved."""
    from tests.factories import reader_client

    # What other developers searched and found, which makes "zapier" a rare word.
    for query in ("429", "invalid_grant", "cors error", "refresh token expired", "webhooks"):
        searched(query, 2, results=3, opened=True)
    for _ in range(3):
        Client().get("/search/", {"q": "zapier connector timeout"})
    Client().get("/search/", {"q": "zapier connectors timing out"})
    [cluster] = gaps.clusters(30)
    assert cluster.status == "open" and cluster.fruitless == 4

    category = Category.objects.get(slug="general")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            "/admin/kb/searchrecord/gaps/draft/",
            {"query": cluster.query_texts, "category": category.pk},
        )
        draft = Entry.objects.get(slug="zapier-connector-timeout")
        save_in_admin(
            staff_client,
            draft,
            question="Why does my Zapier connector time out?",
            answer="Zapier gives a step 30 seconds; page through large lists.",
            status="published",
        )

    reader = reader_client()
    results = parse(reader.get("/search/", {"q": "zapier connectors timing out"}).content)
    first = results.find("a", cls="result-link")
    assert first.words == "Why does my Zapier connector time out?"
    reader.get(first.attrs["href"])

    [cluster] = gaps.clusters(30)
    assert (cluster.status, cluster.answered_by.slug) == ("resolved", "zapier-connector-timeout")
    page = parse(staff_client.get("/admin/kb/searchrecord/gaps/").content)
    status = page.find("tbody").find("tr").find_all("td")[-1]
    assert status.words == "Resolved: answered by Why does my Zapier connector time out?"
    assert SearchRecord.objects.filter(opened=True).count() == 11  # 10 from other developers


# Grouping by problem


def test_the_addresses_in_a_paste_are_its_context_not_its_problem():
    paste = (
        "Access to XMLHttpRequest at 'https://api.procore.com/rest/v1.0/me' from origin "
        "'https://app.example.com' has been blocked by CORS policy"
    )
    assert stem("procore") not in terms(paste)
    assert stem("cors") in terms(paste)
    assert terms("api.procore.eu") == {
        "api",
        stem("procore"),
        "eu",
    }  # an address alone is the query


def test_a_pasted_error_is_not_grouped_with_an_address_it_mentions(db):
    searched(
        "access to fetch at https://api.procore.com/rest/v1.0/me has been blocked by cors policy",
        2,
        results=0,
    )
    searched("api.procore.eu", 2, results=0)
    assert len(cluster_queries()) == 2


def test_words_engineers_listed_as_synonyms_join_groups(db):
    from kb.models import Synonym

    searched("eu endpoint", 2, results=0)
    searched("europe endpoint", 1, results=0)
    assert len(cluster_queries()) == 2
    Synonym.objects.create(terms="eu, europe")
    assert cluster_queries() == [["eu endpoint", "europe endpoint"]]


def test_a_group_starts_its_draft_in_the_category_its_searches_point_to(staff_client, faq):
    cors = Entry.objects.get(slug="cors-support")
    searched("cors preflight caching", 3, results=4, first_entry=cors, answered=False)
    [cluster] = gaps.clusters(30)
    assert cluster.category == cors.category
    page = parse(staff_client.get("/admin/kb/searchrecord/gaps/").content)
    [select] = [s for s in page.find_all("select") if s.attrs.get("name") == "category"]
    chosen = [o for o in select.find_all("option") if "selected" in o.attrs]
    assert [o.text for o in chosen] == [cors.category.name]
