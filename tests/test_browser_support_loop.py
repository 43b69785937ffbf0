"""The support loop in a real browser: an unanswered group of searches turned into a published
answer in one click, and a proposed symptom accepted in place."""

import re

import pytest
from playwright.sync_api import expect

from kb.models import Entry, SearchRecord
from tests.factories import BROWSER_USER_AGENT, make_search, sign_in

pytestmark = pytest.mark.browser


def reader_page(make_page):
    """A reader's own browser, signed out (searches by staff are not logged)."""
    return make_page(user_agent=BROWSER_USER_AGENT)


def search_and_open_first(page, base_url: str, query: str) -> None:
    """Type into the search box and open the first live result, as a developer does (pressing
    Enter as well would make a second search of the same words)."""
    page.goto(base_url + "/")
    page.get_by_role("searchbox", name="Search the knowledge base").fill(query)
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    page.locator(".result-link").first.click()


def test_an_engineer_turns_the_top_unanswered_group_into_a_published_answer(
    page, make_page, engineer
):
    for query in ("429", "invalid_grant", "cors error", "webhooks"):
        for _ in range(2):
            make_search(query, results=3, opened=True)
    for _ in range(3):
        make_search("zapier connector timeout", results=0)
    make_search("zapier connectors timing out", results=0)
    make_search("sandbox login loop", results=0)

    sign_in(page, engineer)
    page.goto(engineer + "/admin/kb/searchrecord/")
    page.get_by_role("link", name="Unanswered searches, grouped by problem").click()
    top = page.locator(".gap-table tbody tr").first
    expect(top).to_contain_text("zapier connector timeout")
    expect(top).to_contain_text("zapier connectors timing out")
    top.get_by_label("Category of the draft").select_option(label="General Questions/Issues")
    top.get_by_role("button", name="Create a draft").click()

    expect(page.locator(".messagelist")).to_contain_text("Draft created from 2 searches")
    symptoms = page.get_by_role("textbox", name="Symptoms")
    expect(symptoms).to_have_value("zapier connector timeout\nzapier connectors timing out")
    page.get_by_role("textbox", name="Question").fill("Why does my Zapier connector time out?")
    page.get_by_role("textbox", name="Answer").fill(
        "Zapier gives each step 30 seconds: page through large lists."
    )
    page.get_by_label("Status").select_option(label="Published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    reader = reader_page(make_page)
    search_and_open_first(reader, engineer, "zapier connectors timing out")
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "Why does my Zapier connector time out?"
    )

    page.goto(engineer + "/admin/kb/searchrecord/gaps/")
    resolved = page.locator(".gap-table tr", has_text="zapier connector timeout")
    expect(resolved).to_contain_text("Resolved: answered by Why does my Zapier connector time out?")
    entry = Entry.objects.get(slug="zapier-connector-timeout")
    assert entry.status == Entry.Status.PUBLISHED
    assert SearchRecord.objects.get(query="zapier connectors timing out", opened=True)


def test_an_engineer_accepts_a_proposed_symptom_and_search_uses_it(page, make_page, engineer):
    entry = Entry.objects.get(slug="rate-limit-429")
    query = "procore keeps refusing my calls after a while"
    for _ in range(2):
        make_search(query, results=5, opened=True, opened_entry=entry, opened_rank=4)

    sign_in(page, engineer)
    page.goto(f"{engineer}/admin/kb/entry/{entry.pk}/change/")
    proposals = page.locator("#symptom-proposals")
    expect(proposals).to_contain_text(query)
    page.get_by_role("textbox", name="Answer").press("End")  # an unsaved edit elsewhere...
    page.get_by_role("spinbutton", name="Order").fill("7")
    page.evaluate("window.stillTheSamePage = true")

    proposals.get_by_role("button", name=f"Accept “{query}”").click()

    expect(proposals).to_contain_text("added to the symptoms")
    expect(proposals.get_by_role("button", name=f"Accept “{query}”")).to_have_count(0)
    symptoms = page.get_by_role("textbox", name="Symptoms")
    assert symptoms.input_value().splitlines()[-1] == query
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.get_by_role("spinbutton", name="Order")).to_have_value("7")
    assert Entry.objects.get(pk=entry.pk).symptom_list[-1] == query

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    saved = Entry.objects.get(pk=entry.pk)
    assert (saved.order, saved.symptom_list.count(query)) == (7, 1)

    reader = reader_page(make_page)
    search_and_open_first(reader, engineer, query)
    expect(reader.get_by_role("heading", level=1)).to_contain_text("429 status code")
    assert reader.url.startswith(f"{engineer}/faq/rate-limit-429/?sq=")


def test_an_engineer_verifies_an_entry_from_its_page(page, engineer):
    entry = Entry.objects.get(slug="rate-limit-429")
    sign_in(page, engineer)
    page.goto(f"{engineer}/admin/kb/entry/{entry.pk}/change/")
    bar = page.locator("#review-bar")
    expect(bar).to_contain_text("Never verified")
    bar.get_by_role("button", name="Mark as verified").click()
    expect(bar).to_contain_text("Verified on")
    expect(bar).to_contain_text("by engineer")
    assert Entry.objects.get(pk=entry.pk).verified_by.username == "engineer"
