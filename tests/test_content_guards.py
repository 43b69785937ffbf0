"""Content commands never destroy an engineer's work, and the admin and the files agree on what
is valid."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kb.content.files import ContentError
from kb.content.loading import ChangedInAdmin
from kb.content.markdown import render_markdown
from kb.faq import export_faq, load_faq
from kb.models import Entry, Feedback
from tests.factories import change_form_data, make_entry, save_in_admin
from tests.html import parse


def test_a_plain_load_does_not_overwrite_an_entry_edited_in_the_admin(
    faq, staff_client, content_dir
):
    entry = Entry.objects.get(slug="rate-limit-429")
    save_in_admin(staff_client, entry, answer="Edited in the admin: back off.")
    path = content_dir / "entries" / "rate-limit-429.md"
    path.write_text(path.read_text().replace("3600 requests per hour", "3601 requests per hour"))
    with pytest.raises(ChangedInAdmin) as excinfo:
        load_faq(content_dir)
    assert excinfo.value.slugs == ["rate-limit-429"]
    assert Entry.objects.get(slug="rate-limit-429").answer == "Edited in the admin: back off."


def test_the_command_names_the_entries_and_the_way_out(faq, staff_client, content_dir):
    for slug in ("rate-limit-429", "what-is-json"):
        save_in_admin(staff_client, Entry.objects.get(slug=slug), order=77)
    with pytest.raises(CommandError) as excinfo:
        call_command("load_faq", "--dir", str(content_dir))
    message = str(excinfo.value)
    assert "Nothing was imported" in message
    assert "rate-limit-429, what-is-json" in message
    assert "export_faq" in message and "--overwrite" in message
    assert set(Entry.objects.filter(order=77).values_list("slug", flat=True)) == {
        "rate-limit-429",
        "what-is-json",
    }


def test_a_load_changes_nothing_else_when_it_stops(faq, staff_client, content_dir):
    save_in_admin(staff_client, Entry.objects.get(slug="rate-limit-429"), order=77)
    other = content_dir / "entries" / "what-is-json.md"
    other.write_text(other.read_text().replace("JSON", "Jason", 1))
    before = Entry.objects.get(slug="what-is-json").answer
    with pytest.raises(ChangedInAdmin):
        load_faq(content_dir)
    assert Entry.objects.get(slug="what-is-json").answer == before


def test_overwrite_replaces_the_admin_edit_with_the_file(faq, staff_client, content_dir):
    save_in_admin(staff_client, Entry.objects.get(slug="rate-limit-429"), answer="Admin text.")
    report = load_faq(content_dir, overwrite=True)
    assert report.updated == ["rate-limit-429"]
    assert "3600 requests per hour" in Entry.objects.get(slug="rate-limit-429").answer


def test_an_admin_edit_the_files_already_hold_is_not_a_conflict(faq, staff_client, tmp_path):
    save_in_admin(staff_client, Entry.objects.get(slug="rate-limit-429"), answer="Admin text.")
    export_faq(tmp_path)
    report = load_faq(tmp_path)
    assert not report.changed


def test_a_file_change_still_loads_when_the_admin_did_not_touch_the_entry(faq, content_dir):
    path = content_dir / "entries" / "rate-limit-429.md"
    path.write_text(path.read_text().replace("3600 requests per hour", "3601 requests per hour"))
    assert load_faq(content_dir).updated == ["rate-limit-429"]
    assert "3601" in Entry.objects.get(slug="rate-limit-429").answer


def test_prune_keeps_entries_created_in_the_admin_and_their_votes(faq, content_dir):
    mine = make_entry(slug="written-in-the-admin", question="Written in the admin?")
    Feedback.objects.create(entry=mine, helpful=True, visitor_key="k")
    with pytest.raises(ChangedInAdmin) as excinfo:
        load_faq(content_dir, prune=True)
    assert excinfo.value.slugs == ["written-in-the-admin"]
    assert Entry.objects.filter(slug="written-in-the-admin").exists()
    assert Feedback.objects.count() == 1


def test_prune_with_overwrite_deletes_them(faq, content_dir):
    make_entry(slug="written-in-the-admin", question="Written in the admin?")
    report = load_faq(content_dir, prune=True, overwrite=True)
    assert report.deleted == ["written-in-the-admin"]


def test_prune_still_deletes_an_untouched_entry_whose_file_was_removed(faq, content_dir):
    (content_dir / "entries" / "what-is-json.md").unlink()
    assert load_faq(content_dir, prune=True).deleted == ["what-is-json"]


OURS = "Use lower-case letters, digits and single hyphens, like rate-limit-429."
# Django's own slug check refuses spaces and accents before ours is reached.
DJANGOS = "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."


@pytest.mark.parametrize(
    "slug, message",
    [
        ("Upper_Case", OURS),
        ("with space", DJANGOS),
        ("trailing-", OURS),
        ("a--b", OURS),
        ("ünïcode", DJANGOS),
    ],
)
def test_the_admin_refuses_a_slug_the_files_would_refuse(staff_client, faq, slug, message):
    entry = Entry.objects.get(slug="what-is-json")
    response = staff_client.post(
        f"/admin/kb/entry/{entry.pk}/change/", change_form_data(entry, slug=slug)
    )
    assert response.status_code == 200
    assert parse(response.content).find("ul", id="id_slug_error").text == message
    assert Entry.objects.filter(slug="what-is-json").exists()


def test_an_order_too_large_for_the_database_is_refused_in_the_admin(staff_client, faq):
    entry = Entry.objects.get(slug="what-is-json")
    response = staff_client.post(
        f"/admin/kb/entry/{entry.pk}/change/",
        change_form_data(entry, order="99999999999999999999"),
    )
    assert response.status_code == 200
    assert "less than or equal to 2147483647" in response.content.decode()


TOO_LARGE = "'order' must be a whole number from 0 to 2,147,483,647"


@pytest.mark.parametrize(
    "order, message",
    [
        ("99999999999999999999", TOO_LARGE),
        ("1" * 5000, "bad front matter"),  # too many digits for Python to read as a number
        ("2147483648", TOO_LARGE),
    ],
)
def test_an_order_too_large_in_a_file_names_the_file(db, content_dir, order, message):
    path = content_dir / "entries" / "what-is-json.md"
    text = path.read_text()
    start = text.index("order:")
    end = text.index("\n", start)
    path.write_text(text[:start] + f"order: {order}" + text[end:])
    with pytest.raises(ContentError) as excinfo:
        load_faq(content_dir)
    assert "what-is-json.md" in str(excinfo.value)
    assert message in str(excinfo.value)


def test_headings_in_an_answer_cannot_take_the_pages_own_ids(client, db):
    entry = make_entry(answer="## Feedback\n\nSee below.\n\n## Main\n\nText.")
    html = client.get(entry.get_absolute_url()).content.decode()
    assert html.count('id="feedback"') == 1  # the page's own "Was this helpful?" section
    assert html.count('id="main"') == 1
    assert 'id="answer-feedback"' in html
    assert 'href="#answer-feedback"' in html
    assert 'id="answer-main"' in render_markdown(entry.answer)


def test_render_answers_gives_stored_answers_the_new_ids(db):
    entry = make_entry(answer="## Feedback\n\nText.")
    Entry.objects.filter(pk=entry.pk).update(answer_html='<h2 id="feedback">Feedback</h2>')
    call_command("render_answers")
    assert 'id="answer-feedback"' in Entry.objects.get(pk=entry.pk).answer_html
    assert Client().get(entry.get_absolute_url()).content.decode().count('id="feedback"') == 1
