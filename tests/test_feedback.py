import pytest
from django.test import Client

from kb.editorial.feedback import VISITOR_COOKIE
from kb.models import Entry, Feedback
from tests.factories import make_entry, save_in_admin
from tests.htmx import HtmxClient

URL = "/faq/test-integration/feedback/"


@pytest.fixture
def entry(empty_db):
    return make_entry()


def votes(entry) -> list[tuple[bool, str]]:
    return list(entry.feedback.values_list("helpful", "reason"))


def test_the_entry_page_asks_whether_it_helped(client, entry):
    html = client.get("/faq/test-integration/").content.decode()
    assert "Was this helpful?" in html
    assert f'action="{URL}"' in html
    # No per-visitor token: the page is the same for everybody (votes are checked by origin).
    assert 'name="csrfmiddlewaretoken"' not in html
    assert 'name="helpful" value="yes"' in html and 'name="helpful" value="no"' in html


def test_a_yes_without_javascript_is_counted_and_thanked(client, entry):
    response = client.post(URL, {"helpful": "yes"})
    assert response.status_code == 302
    assert response["Location"] == "/faq/test-integration/?voted=yes#feedback"
    assert votes(entry) == [(True, "")]

    html = client.get(response["Location"]).content.decode()
    assert "Thanks for your feedback!" in html
    assert "Was this helpful?" not in html


def test_a_no_then_a_reason_without_javascript(client, entry):
    response = client.post(URL, {"helpful": "no"})
    assert response["Location"] == "/faq/test-integration/?voted=no#feedback"
    page = client.get(response["Location"]).content.decode()
    assert "Thanks for telling us." in page
    assert 'name="reason"' in page and 'maxlength="500"' in page

    response = client.post(URL, {"helpful": "no", "reason": "  It does not cover webhooks.  "})
    assert response.status_code == 302
    assert votes(entry) == [(False, "It does not cover webhooks.")]
    page = client.get(response["Location"]).content.decode()
    assert "Your note goes to the support engineers" in page


def test_a_vote_with_htmx_swaps_the_widget_in_place(entry):
    client = HtmxClient()
    response = client.post(URL, {"helpful": "no"}, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="feedback"')
    assert "<html" not in html
    assert "Thanks for telling us." in html and 'name="reason"' in html
    assert VISITOR_COOKIE in response.cookies

    response = client.post(URL, {"helpful": "no", "reason": "Too short."}, htmx=True)
    assert "Your note goes to the support engineers" in response.content.decode()
    assert votes(entry) == [(False, "Too short.")]


def test_one_visitor_counts_once_per_entry(client, entry):
    for _ in range(3):
        client.post(URL, {"helpful": "yes"})
    assert Feedback.objects.count() == 1


def test_a_later_vote_replaces_the_earlier_one(client, entry):
    client.post(URL, {"helpful": "no", "reason": "Missing an example."})
    client.post(URL, {"helpful": "yes", "reason": "ignored with a yes"})
    assert votes(entry) == [(True, "")]


def test_different_visitors_count_separately(entry):
    for helpful in ("yes", "no", "no"):
        Client().post(URL, {"helpful": helpful})
    assert sorted(votes(entry)) == [(False, ""), (False, ""), (True, "")]


def test_the_visitor_is_known_only_by_a_hash_of_a_random_cookie(client, entry):
    response = client.post(URL, {"helpful": "yes"}, REMOTE_ADDR="203.0.113.7")
    cookie = response.cookies[VISITOR_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) > 30 * 24 * 3600
    vote = Feedback.objects.get()
    assert len(vote.visitor_key) == 64
    assert cookie.value not in vote.visitor_key
    stored = " ".join(str(value) for value in Feedback.objects.values().get().values())
    assert "203.0.113.7" not in stored


def test_a_forged_cookie_is_replaced_not_trusted(client, entry):
    client.cookies[VISITOR_COOKIE] = "<script>"
    response = client.post(URL, {"helpful": "yes"})
    assert response.cookies[VISITOR_COOKIE].value != "<script>"
    assert Feedback.objects.count() == 1


# Bad input


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://evil.testserver"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page.html"},
    ],
)
def test_a_vote_from_another_site_is_refused_and_changes_nothing(entry, headers):
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, {"helpful": "yes"}, headers=headers)
    assert response.status_code == 403
    assert "another site" in response.content.decode()
    assert not Feedback.objects.exists()
    assert VISITOR_COOKIE not in response.cookies


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Origin": "http://testserver"},
        {"Referer": "http://testserver/faq/test-integration/"},
        {},  # a browser from before 2019, or a program: see kb/web/origin.py
    ],
)
def test_a_vote_from_the_sites_own_page_is_stored_without_a_token(entry, headers):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/faq/test-integration/")
    assert "csrftoken" not in page.cookies
    response = client.post(URL, {"helpful": "yes"}, headers=headers)
    assert response.status_code == 302
    assert votes(entry) == [(True, "")]


def test_a_vote_on_an_unknown_entry_is_not_found(client, entry):
    assert client.post("/faq/no-such-entry/feedback/", {"helpful": "yes"}).status_code == 404
    assert not Feedback.objects.exists()


def test_a_vote_on_a_draft_is_not_found_even_for_staff(client, staff_client, db):
    make_entry(slug="draft-entry", status=Entry.Status.DRAFT)
    assert Client().post("/faq/draft-entry/feedback/", {"helpful": "no"}).status_code == 404
    assert staff_client.post("/faq/draft-entry/feedback/", {"helpful": "no"}).status_code == 404
    assert not Feedback.objects.exists()
    assert "Was this helpful?" not in staff_client.get("/faq/draft-entry/").content.decode()


def test_a_huge_reason_is_refused_with_a_clear_message(client, entry):
    client.post(URL, {"helpful": "no"})
    response = client.post(URL, {"helpful": "no", "reason": "x" * 100_000})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please keep the reason to 500 characters (it has 100000)." in html
    assert "<h1>How do I test my integration?</h1>" in html
    assert votes(entry) == [(False, "")]


def test_a_huge_reason_with_htmx_gets_the_message_in_the_fragment(entry):
    response = HtmxClient().post(URL, {"helpful": "no", "reason": "x" * 100_000}, htmx=True)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" not in html
    assert "Please keep the reason to 500 characters" in html
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("data", [{}, {"helpful": "maybe"}, {"helpful": ""}, {"reason": "hm"}])
def test_a_vote_that_is_neither_yes_nor_no_is_refused(client, entry, data):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "Choose “Yes” or “No”." in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_vote_url_takes_only_posts(client, entry):
    assert client.get(URL).status_code == 405


def test_the_reason_is_escaped_on_the_page_and_in_the_admin(client, staff_client, entry):
    client.post(URL, {"helpful": "no", "reason": "<script>alert(1)</script>"})
    html = staff_client.get(f"/admin/kb/entry/{entry.pk}/change/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# The throttle


def test_a_flood_of_votes_from_one_address_is_throttled(entry, settings):
    settings.KB_FEEDBACK_RATE_LIMIT = 5
    settings.KB_FEEDBACK_RATE_WINDOW = 24 * 3600  # so no window ends mid-test, in practice
    statuses = [
        Client().post(URL, {"helpful": "no"}, REMOTE_ADDR="198.51.100.9").status_code
        for _ in range(8)
    ]
    assert statuses == [302] * 5 + [429] * 3
    assert Feedback.objects.count() == 5


def test_the_throttled_answer_says_what_happened_and_when_to_retry(entry, settings):
    settings.KB_FEEDBACK_RATE_LIMIT = 1
    settings.KB_FEEDBACK_RATE_WINDOW = 24 * 3600  # so no window ends mid-test, in practice
    Client().post(URL, {"helpful": "yes"})
    response = Client().post(URL, {"helpful": "yes"})
    assert response.status_code == 429
    assert "Too many votes from your network" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= settings.KB_FEEDBACK_RATE_WINDOW

    fragment = HtmxClient().post(URL, {"helpful": "yes"}, htmx=True)
    assert fragment.status_code == 429
    assert "Too many votes from your network" in fragment.content.decode()
    assert Feedback.objects.count() == 1


def test_the_throttle_is_per_address(entry, settings):
    settings.KB_FEEDBACK_RATE_LIMIT = 1
    settings.KB_FEEDBACK_RATE_WINDOW = 24 * 3600  # so no window ends mid-test, in practice
    assert Client().post(URL, {"helpful": "yes"}, REMOTE_ADDR="198.51.100.1").status_code == 302
    assert Client().post(URL, {"helpful": "yes"}, REMOTE_ADDR="198.51.100.1").status_code == 429
    assert Client().post(URL, {"helpful": "yes"}, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_the_throttle_keeps_no_address_in_its_counters(entry, settings):
    from kb.models import ThrottleWindow

    Client().post(URL, {"helpful": "yes"}, REMOTE_ADDR="198.51.100.77")
    rows = list(ThrottleWindow.objects.values_list("key", "window_end", "hits"))
    assert rows
    assert all("198.51.100.77" not in repr(row) for row in rows)


# The admin


def test_the_entry_list_shows_sortable_vote_counts(staff_client, db):
    unhelpful = make_entry(slug="unhelpful", question="Rarely helps?")
    helpful = make_entry(slug="helpful", question="Always helps?")
    make_entry(slug="unrated", question="Never rated?")
    for helpful_vote, entry in [(False, unhelpful)] * 3 + [(True, unhelpful), (True, helpful)]:
        Client().post(f"/faq/{entry.slug}/feedback/", {"helpful": "yes" if helpful_vote else "no"})

    html = staff_client.get("/admin/kb/entry/").content.decode()
    assert "Not helpful" in html and "Helpful" in html
    assert "3 (75%)" in html

    changelist = staff_client.get("/admin/kb/entry/").context["cl"]
    columns = list(changelist.list_display)
    column = columns.index("unhelpful_votes")
    most = staff_client.get("/admin/kb/entry/", {"o": f"-{column}"}).context["cl"].result_list
    least = staff_client.get("/admin/kb/entry/", {"o": f"{column}"}).context["cl"].result_list
    assert most[0].slug == "unhelpful"
    assert least[len(least) - 1].slug == "unhelpful"


def test_the_entry_admin_page_shows_the_counts_and_reasons(staff_client, entry):
    Client().post(URL, {"helpful": "yes"})
    reasoner = Client()
    reasoner.post(URL, {"helpful": "no"})
    reasoner.post(URL, {"helpful": "no", "reason": "The sandbox link is dead."})

    html = staff_client.get(f"/admin/kb/entry/{entry.pk}/change/").content.decode()
    assert "1 reader found it helpful, 1 did not." in html
    assert "The sandbox link is dead." in html
    assert f"/admin/kb/feedback/?entry__id__exact={entry.pk}" in html
    listing = staff_client.get(f"/admin/kb/feedback/?entry__id__exact={entry.pk}")
    assert listing.status_code == 200
    assert "The sandbox link is dead." in listing.content.decode()


def test_votes_are_read_only_in_the_admin(staff_client, entry):
    Client().post(URL, {"helpful": "no", "reason": "Original."})
    vote = Feedback.objects.get()
    assert staff_client.get("/admin/kb/feedback/add/").status_code == 403
    staff_client.post(
        f"/admin/kb/feedback/{vote.pk}/change/",
        {"entry": entry.pk, "helpful": "on", "reason": "Edited."},
    )
    vote.refresh_from_db()
    assert (vote.helpful, vote.reason) == (False, "Original.")


def test_saving_an_entry_in_the_admin_keeps_its_votes(staff_client, entry):
    Client().post(URL, {"helpful": "no", "reason": "Keep me."})
    save_in_admin(staff_client, entry, answer="Changed.", symptoms="")
    assert votes(entry) == [(False, "Keep me.")]


def test_the_revert_page_shows_the_current_votes(staff_client, entry):
    Client().post(URL, {"helpful": "no", "reason": "Outdated."})
    revision = entry.history.first()
    html = staff_client.get(
        f"/admin/kb/entry/{entry.pk}/history/{revision.history_id}/"
    ).content.decode()
    assert "0 readers found it helpful, 1 did not." in html and "Outdated." in html


def test_deleting_an_entry_deletes_its_votes(staff_client, entry):
    Client().post(URL, {"helpful": "no"})
    response = staff_client.post(
        "/admin/kb/entry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Entry.objects.exists()
    assert not Feedback.objects.exists()
