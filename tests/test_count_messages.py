"""Every message that counts something says what it counts, in Django's plural forms."""

import pytest
from django.core.management import call_command

from kb.content.loading import LoadReport
from kb.models import Entry, SearchRecord
from kb.tools.instants import describe_duration
from tests.factories import make_entry, make_search


@pytest.mark.parametrize(
    ("action", "count", "message"),
    [
        ("publish", 1, "1 entry published."),
        ("publish", 2, "2 entries published."),
        ("unpublish", 1, "1 entry unpublished: it is a draft now."),
        ("unpublish", 3, "3 entries unpublished: they are drafts now."),
    ],
)
def test_the_publish_actions_count_entries(staff_client, db, action, count, message):
    status = Entry.Status.DRAFT if action == "publish" else Entry.Status.PUBLISHED
    entries = [make_entry(slug=f"e{n}", status=status) for n in range(count)]
    response = staff_client.post(
        "/admin/kb/entry/",
        # "post": the confirmation that unpublishing asks for first (publishing does not).
        {"action": action, "_selected_action": [e.pk for e in entries], "post": "yes"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [message]


def test_a_first_load_says_what_it_created(empty_db, capsys):
    call_command("load_faq")
    out = capsys.readouterr().out
    assert "14 categories, 27 entries and 18 synonym groups created." in out
    assert "Error codes and messages: 11 error codes and 8 known messages created" in out


def test_a_report_names_each_kind_in_the_singular_or_plural():
    report = LoadReport(
        created=["category oauth"],
        updated=["rate-limit-429", "what-is-json"],
        deleted=["synonyms a, b"],
        kept=["category cors", "category mpz", "x"],
    )
    assert str(report) == (
        "1 category created; 2 entries updated; 1 synonym group deleted; "
        "2 categories and 1 entry unchanged"
    )
    assert str(LoadReport()) == "nothing changed"


def test_render_answers_and_prune_search_log_count_in_words(empty_db, capsys):
    make_entry()
    call_command("render_answers")
    assert "Answers rendered again: 0 answers changed." in capsys.readouterr().out
    Entry.objects.update(answer_html="stale")
    call_command("render_answers")
    assert "Answers rendered again: 1 answer changed." in capsys.readouterr().out
    make_search("old")
    SearchRecord.objects.update(created="2000-01-01T00:00:00Z")
    call_command("prune_search_log", "--days", "1")
    assert "Deleted 1 search record older than 1 day." in capsys.readouterr().out


def test_durations_in_seconds_count_in_words():
    assert describe_duration(1) == "1 second"
    assert describe_duration(45) == "45 seconds"
