"""The whole path of review before publishing, in a browser, on two nodes that review before
publishing (KB_REVIEW_BEFORE_PUBLISHING=1 in their environment): an engineer who may not
publish revises the 429 answer and asks for review; the public page and search, on both
nodes, still give the old answer; a reviewer finds it in the queue on the admin home and
approves it; the new answer is live and found by search within a second, on node B too.

Two gunicorn servers share one database, as in tests/test_nodes.py: node A set up as a deploy
does, node B with only its static files (it builds its index from the database).
"""

import time

import pytest
from playwright.sync_api import expect

from tests.factories import sign_in
from tests.servers import two_nodes

pytestmark = [pytest.mark.browser, pytest.mark.nodes, pytest.mark.xdist_group("nodes")]

MARKER = "zqxreviewedmarker"
SLUG = "rate-limit-429"
PASSWORD = "a-long-test-password"
# An engineer who may change entries but not publish them, and a reviewer who may.
MAKE_ACCOUNTS = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
User = get_user_model()
for name, codenames in [
    ("author", ["view_entry", "change_entry"]),
    ("reviewer", ["view_entry", "change_entry", "publish_entry"]),
]:
    user = User.objects.create_user(name, password="{PASSWORD}", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
"""


@pytest.fixture
def reviewing_nodes():
    with two_nodes("kb-review-nodes-", MAKE_ACCOUNTS, KB_REVIEW_BEFORE_PUBLISHING="1") as nodes:
        yield nodes[:2]


def found_by_search(page, base_url: str) -> bool:
    page.goto(f"{base_url}/search/?q={MARKER}")
    return page.locator(f"a[href^='/faq/{SLUG}/']").count() > 0


def test_a_revision_waits_for_review_then_a_reviewer_approves_it_live_on_both_nodes(
    make_page, reviewing_nodes
):
    a, b = reviewing_nodes
    entry_id = a.entry_row(SLUG)["id"]
    change_url = f"{a.base_url}/admin/kb/entry/{entry_id}/change/"

    author = make_page()
    sign_in(author, a.base_url, "author")
    author.goto(change_url)
    expect(author.locator("input[name='_save']")).to_have_count(0)
    author.get_by_role("textbox", name="Answer").fill(f"Back off, then retry once. {MARKER}")
    author.get_by_role("textbox", name="Note for the reviewer (optional)").fill("Shorter answer")
    author.get_by_role("button", name="Ask for review").click()
    expect(author.locator(".messagelist")).to_contain_text("waiting for review")
    expect(author.locator("#revision-pending")).to_contain_text("Waiting for review since")
    expect(author.locator("#revision-pending")).not_to_contain_text("Approve and publish")

    for node in (a, b):
        reader = make_page()
        reader.goto(f"{node.base_url}/faq/{SLUG}/")
        expect(reader.locator("main")).to_contain_text("429")
        expect(reader.locator("main")).not_to_contain_text(MARKER)
        assert not found_by_search(reader, node.base_url), node.base_url

    reviewer = make_page()
    sign_in(reviewer, a.base_url, "reviewer")
    queue = reviewer.locator("#review-queue")
    expect(queue).to_contain_text("author")
    expect(queue).to_contain_text("Shorter answer")
    queue.get_by_role("link", name=a.entry_row(SLUG)["question"]).click()
    panel = reviewer.locator("#revision-pending")
    expect(panel).to_contain_text("Waiting for review since")
    expect(panel.locator("ins").first).to_be_visible()
    panel.get_by_role("button", name="Approve and publish").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("approved and published")
    approved = time.monotonic()

    # Search on both nodes, from the moment of the approval.
    searcher = make_page()
    waiting_on = [a, b]
    while waiting_on:
        waiting_on = [node for node in waiting_on if not found_by_search(searcher, node.base_url)]
        elapsed = time.monotonic() - approved
        late = [node.base_url for node in waiting_on]
        assert elapsed < 1.0 or not late, f"search did not find the revision in 1 s on {late}"
        time.sleep(0.05)
    for node in (a, b):
        reader = make_page()  # a new reader: an earlier one's browser keeps pages a while
        reader.goto(f"{node.base_url}/faq/{SLUG}/")
        expect(reader.locator("main")).to_contain_text(MARKER)
