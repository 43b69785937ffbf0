"""A rebuild shows how far it is: to the person running `rebuild_index`, and in /healthz on
every process of the node while it runs."""

import io

from django.core.management import call_command
from django.urls import reverse

from kb import search
from kb.search import index, sync


def test_a_rebuild_reports_its_entries_then_its_writing(faq):
    seen = []
    search.rebuild(progress=lambda stage, done, total: seen.append((stage, done, total)))
    total = index.indexed_entries().count()
    assert seen[0] == ("entries", 0, total)
    assert seen[-2:] == [("writing", total, total), ("arrays", total, total)]
    assert sync.status()["rebuild"] is None  # over: nothing left behind


def test_rebuild_index_prints_plain_lines_of_its_progress_when_not_on_a_terminal(faq):
    out = io.StringIO()
    call_command("rebuild_index", stdout=out)
    lines = out.getvalue().splitlines()
    total = index.indexed_entries().count()
    assert lines[0] == f"0 of {total} entries read and analysed"
    assert f"{total} of {total} writing the index" in lines
    assert "\r" not in out.getvalue()
    assert lines[-1].startswith("Search index rebuilt: ")


def test_healthz_says_how_far_a_running_rebuild_is(client, faq):
    search.rebuild()
    seen = {}

    def look(stage, done, total):
        if stage == "writing":  # mid-rebuild, as another worker would ask
            seen.update(client.get(reverse("healthz")).json())

    search.rebuild(progress=look)
    total = index.indexed_entries().count()
    assert seen["changes"]["rebuild"]["stage"] == "writing"
    assert seen["changes"]["rebuild"]["done"] == total
    assert "rebuild" not in client.get(reverse("healthz")).json()["changes"]


def test_a_rebuild_that_died_is_not_reported_as_running(faq):
    search.rebuild()
    (index.root() / sync.PROGRESS_FILE).write_text('{"stage": "entries", "done": 5}')
    assert sync.status()["rebuild"] is None
    assert not (index.root() / sync.PROGRESS_FILE).exists()
