import pytest
from django.test import Client

from kb.models import Entry
from tests.factories import change_form_data, make_entry, save_in_admin
from tests.html import find_all


@pytest.fixture
def edited_entry(staff_client, db):
    """An entry created in code, then edited twice by an engineer in the admin."""
    entry = make_entry(answer="Use **Postman** against the sandbox.", symptoms="sandbox")
    save_in_admin(staff_client, entry, answer="Use **Postman** or curl against the sandbox.")
    save_in_admin(staff_client, entry, question="How do I test against the sandbox?")
    return entry


def test_every_save_keeps_a_revision_with_who_and_what(staff_user, edited_entry):
    revisions = list(edited_entry.history.all())
    assert len(revisions) == 3
    assert [r.history_user for r in revisions] == [staff_user, staff_user, None]
    assert revisions[0].question == "How do I test against the sandbox?"
    assert revisions[1].answer == "Use **Postman** or curl against the sandbox."


def test_publishing_with_the_action_records_who_did_it(staff_client, staff_user, db):
    entry = make_entry(status=Entry.Status.DRAFT)
    staff_client.post("/admin/kb/entry/", {"action": "publish", "_selected_action": [entry.pk]})
    latest = entry.history.first()
    assert latest.status == Entry.Status.PUBLISHED
    assert latest.history_user == staff_user


def test_the_history_page_lists_revisions_and_offers_a_comparison(staff_client, edited_entry):
    html = staff_client.get(f"/admin/kb/entry/{edited_entry.pk}/history/").content.decode()
    assert "engineer" in html
    assert html.count("compare with previous") == 2
    assert f'action="/admin/kb/entry/{edited_entry.pk}/history/compare/"' in html
    assert 'name="old"' in html and 'name="new"' in html


def test_the_comparison_shows_what_changed_field_by_field(staff_client, edited_entry):
    oldest, latest = edited_entry.history.last(), edited_entry.history.first()
    response = staff_client.get(
        f"/admin/kb/entry/{edited_entry.pk}/history/compare/",
        {"old": oldest.history_id, "new": latest.history_id},
    )
    assert response.status_code == 200
    comparisons = {c.name: c for c in response.context["comparisons"]}
    assert comparisons["question"].changed
    assert comparisons["question"].old == "How do I test my integration?"
    assert comparisons["question"].new == "How do I test against the sandbox?"
    assert comparisons["answer"].changed
    assert not comparisons["slug"].changed and not comparisons["symptoms"].changed

    html = response.content.decode()
    # Word by word: what went out, what came in, and the words around them as they were.
    assert "How do I test <del>my integration</del><ins>against the sandbox</ins>?" in html
    assert "Use **Postman** <ins>or curl </ins>against the sandbox." in html
    assert "diff_next" not in html and "difflib" not in html
    assert f"/admin/kb/entry/{edited_entry.pk}/history/{oldest.history_id}/" in html


def test_the_comparison_defaults_to_the_last_change(staff_client, edited_entry):
    response = staff_client.get(f"/admin/kb/entry/{edited_entry.pk}/history/compare/")
    changed = [c.name for c in response.context["comparisons"] if c.changed]
    assert changed == ["question"]


def test_the_comparison_puts_the_older_revision_first(staff_client, edited_entry):
    oldest, latest = edited_entry.history.last(), edited_entry.history.first()
    response = staff_client.get(
        f"/admin/kb/entry/{edited_entry.pk}/history/compare/",
        {"old": latest.history_id, "new": oldest.history_id},
    )
    assert response.context["old"] == oldest


def test_the_answer_diff_escapes_html(staff_client, db):
    entry = make_entry(answer="Plain.")
    save_in_admin(staff_client, entry, answer='Plain. <script>alert("x")</script>')
    html = staff_client.get(f"/admin/kb/entry/{entry.pk}/history/compare/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


@pytest.mark.parametrize("params", [{"old": "abc"}, {"new": "99999"}, {"old": "1 OR 1=1"}])
def test_a_revision_that_is_not_this_entrys_gets_a_clear_400(staff_client, edited_entry, params):
    other = make_entry(slug="other")
    foreign = {"old": other.history.first().history_id}
    for query in (params, foreign):
        response = staff_client.get(f"/admin/kb/entry/{edited_entry.pk}/history/compare/", query)
        assert response.status_code == 400
        assert "Choose two revisions of this entry" in response.content.decode()


def test_an_entry_with_one_revision_has_nothing_to_compare(staff_client, db):
    entry = make_entry()
    response = staff_client.get(f"/admin/kb/entry/{entry.pk}/history/compare/")
    assert response.status_code == 200
    assert "only one revision" in response.content.decode()


def test_comparing_an_unknown_entry_is_not_found(staff_client, db):
    assert staff_client.get("/admin/kb/entry/424242/history/compare/").status_code == 404


def test_visitors_who_are_not_staff_cannot_compare(visitor_client, edited_entry):
    for client in (visitor_client, Client()):
        response = client.get(f"/admin/kb/entry/{edited_entry.pk}/history/compare/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_an_engineer_restores_an_earlier_revision(staff_client, staff_user, edited_entry):
    oldest = edited_entry.history.last()
    revert_url = f"/admin/kb/entry/{edited_entry.pk}/history/{oldest.history_id}/"
    form = staff_client.get(revert_url)
    assert form.status_code == 200
    html = form.content.decode()
    assert "Revert" in html and "How do I test my integration?" in html

    # The revert form is the entry form filled from the old revision; pressing Revert posts it.
    response = staff_client.post(revert_url, change_form_data(oldest.instance))
    assert response.status_code == 302
    edited_entry.refresh_from_db()
    assert edited_entry.question == "How do I test my integration?"
    assert edited_entry.answer == "Use **Postman** against the sandbox."
    assert "<strong>Postman</strong> against" in edited_entry.answer_html
    assert edited_entry.history.count() == 4
    assert edited_entry.history.first().history_user == staff_user

    page = Client().get(f"/faq/{edited_entry.slug}/").content.decode()
    assert "<h1>How do I test my integration?</h1>" in page


def test_the_history_page_shows_each_change_word_by_word(staff_client, edited_entry):
    html = staff_client.get(f"/admin/kb/entry/{edited_entry.pk}/history/").content.decode()
    assert [dt.text for dt in find_all(html, "dt")] == ["Question", "Answer"]
    changes = find_all(html, "dd", "word-diff")
    assert [c.text for c in changes] == [
        "How do I test my integrationagainst the sandbox?",  # <del>…</del><ins>…</ins>
        "Use **Postman** or curl against the sandbox.",
    ]
    assert find_all(html, "td", "revision-changes")[-1].text == "The first revision."
    assert "outside the admin" in html, "the entry was created in code, not by an engineer"
    assert "None" not in html and "chars]" not in html


def test_a_long_answer_change_keeps_a_few_words_around_it(staff_client, db):
    words = " ".join(f"word{n}" for n in range(60))
    entry = make_entry(answer=f"{words} end.")
    save_in_admin(staff_client, entry, answer=f"{words} the new end.")
    html = staff_client.get(f"/admin/kb/entry/{entry.pk}/history/").content.decode()
    assert "… word52 word53 word54 word55 word56 word57 word58 word59 <ins>the new </ins>end." in (
        html
    )


def test_the_revert_page_has_the_entrys_breadcrumb(staff_client, edited_entry):
    oldest = edited_entry.history.last()
    html = staff_client.get(
        f"/admin/kb/entry/{edited_entry.pk}/history/{oldest.history_id}/"
    ).content.decode()
    crumbs = find_all(html, "div", "breadcrumbs")[0]
    assert [link["text"] for link in crumbs.links] == [
        "Home",
        "Knowledge base",
        "Entries",
        "How do I test my integration?",  # the revision the page would restore
        "History",
    ]
    assert "Historical" not in crumbs.text and "Kb" not in crumbs.text
