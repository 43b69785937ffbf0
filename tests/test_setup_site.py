"""`manage.py setup_site`: what `make run` does before serving."""

from django.core.management import call_command

from kb import search
from kb.models import Entry, ErrorCode
from tests.factories import make_entry


def test_it_prepares_an_empty_site_and_a_restart_keeps_admin_edits(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("setup_site")
    assert Entry.objects.published().count() == 27
    assert ErrorCode.objects.filter(code=429).exists()
    assert (tmp_path / "static" / "css" / "site.css").exists()
    assert search.search("invalid_grant").hits[0].slug == "refresh-token-invalid"

    entry = Entry.objects.get(slug="rate-limit-429")
    entry.answer = "Edited by an engineer: zebrafish."
    entry.save()
    call_command("setup_site")
    assert Entry.objects.get(slug="rate-limit-429").answer == "Edited by an engineer: zebrafish."
    assert search.search("zebrafish").hits[0].slug == "rate-limit-429"


def test_a_first_run_builds_the_search_index_once(db, settings, tmp_path, caplog):
    settings.STATIC_ROOT = tmp_path / "static"
    caplog.set_level("INFO", logger="kb.search.index")
    call_command("setup_site")
    rebuilds = [r for r in caplog.records if r.getMessage().startswith("search index rebuilt")]
    assert len(rebuilds) == 1
    assert search.search("invalid_grant").hits[0].slug == "refresh-token-invalid"


def test_an_entry_saved_before_any_index_exists_is_found_by_the_first_search(db):
    make_entry(slug="lonely", question="Where is the zebrafish?")
    assert search.search("zebrafish").hits[0].slug == "lonely"
