import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from kb.content.files import ContentError
from kb.faq import export_faq, load_faq, read_faq
from kb.models import Category, Entry, Synonym

SEED = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "procore-api-faq.txt"


def snapshot():
    return sorted(Entry.objects.values_list("slug", "question", "answer", "status", "updated"))


def test_it_has_one_file_per_seed_question():
    content = read_faq(settings.CONTENT_DIR).content
    assert len(content.entries) == 27
    assert len({e.slug for e in content.entries}) == 27
    used = {e.category for e in content.entries}
    assert used == {c.slug for c in content.categories}
    assert all(e.symptoms for e in content.entries), "every entry has symptoms"


@pytest.mark.skipif(not SEED.exists(), reason="the seed is beside the repository in shared/")
def test_it_keeps_each_question_verbatim_from_the_seed():
    seed_lines = {line.strip() for line in SEED.read_text().splitlines()}
    for entry in read_faq(settings.CONTENT_DIR).content.entries:
        assert entry.question in seed_lines, entry.slug


def test_it_writes_the_refresh_token_table_as_a_markdown_table(faq):
    entry = Entry.objects.get(slug="refresh-token-invalid")
    assert "<table>" in entry.answer_html
    assert "<td>Refresh Token Revoked</td>" in entry.answer_html


def test_it_writes_steps_as_a_list_and_addresses_as_links(faq):
    entry = Entry.objects.get(slug="browser-redirects-to-integration")
    assert "<ol>" in entry.answer_html
    assert '<a href="https://login.procore.com"' in entry.answer_html
    support = Entry.objects.get(slug="api-support-contact")
    assert 'href="mailto:apisupport@procore.com"' in support.answer_html


def test_it_loads_every_entry_published(faq):
    assert Entry.objects.published().count() == 27
    assert Category.objects.count() == 14
    assert "rate-limit-429" in faq.created
    assert len(faq.created) == 27 + 14 + Synonym.objects.count()
    assert Synonym.objects.count() >= 10


def test_a_second_load_changes_nothing(faq):
    before = snapshot()
    report = load_faq(settings.CONTENT_DIR)
    assert not report.changed
    assert report.unchanged == 27 + 14 + Synonym.objects.count()
    assert snapshot() == before


def test_it_updates_an_entry_whose_file_changed(faq, content_dir):
    path = content_dir / "entries" / "rate-limit-429.md"
    path.write_text(path.read_text().replace("3600 requests per hour", "3601 requests per hour"))
    report = load_faq(content_dir)
    assert report.updated == ["rate-limit-429"]
    assert "3601 requests" in Entry.objects.get(slug="rate-limit-429").answer


def test_prune_removes_entries_no_longer_in_the_files(faq, content_dir):
    (content_dir / "entries" / "what-is-json.md").unlink()
    report = load_faq(content_dir)
    assert Entry.objects.filter(slug="what-is-json").exists(), "without --prune nothing is deleted"
    report = load_faq(content_dir, prune=True)
    assert report.deleted == ["what-is-json"]
    assert not Entry.objects.filter(slug="what-is-json").exists()
    assert Entry.objects.count() == 26


def test_export_then_load_round_trips(faq, tmp_path):
    entry = Entry.objects.get(slug="rate-limit-429")
    entry.answer = "Edited in the admin:\r\n\r\n* one\r\n* two"
    entry.status = Entry.Status.DRAFT
    entry.symptoms = "429\nslow down"
    entry.save()
    export_faq(tmp_path)
    exported = (tmp_path / "entries" / "rate-limit-429.md").read_text()
    assert "status: draft" in exported
    assert "- slow down" in exported
    before = snapshot()
    report = load_faq(tmp_path, prune=True)
    assert not report.changed
    assert snapshot() == before


def test_export_of_the_loaded_content_reproduces_the_files(faq, tmp_path):
    export_faq(tmp_path)
    for path in sorted(Path(settings.CONTENT_DIR).rglob("*.*")):
        relative = path.relative_to(settings.CONTENT_DIR)
        if relative.parts[0] == "entries" or relative.name in ("categories.yaml", "synonyms.yaml"):
            assert (tmp_path / relative).read_text() == path.read_text(), relative


MALFORMED = {
    "bad front matter": ("---\nquestion: [unclosed\n---\nAnswer", "bad front matter"),
    "no front matter": ("Just an answer", "no front matter"),
    "missing keys": ("---\nquestion: Why?\n---\nAnswer", "missing category, slug, order"),
    "unknown category": (
        "---\nquestion: Why?\ncategory: nope\nslug: why\norder: 1\nsymptoms: [x]\n---\nAnswer",
        "unknown category 'nope'",
    ),
    "empty question": (
        "---\nquestion: '  '\ncategory: oauth\nslug: why\norder: 1\nsymptoms: [x]\n---\nAnswer",
        "'question' must not be empty",
    ),
    "empty answer": (
        "---\nquestion: Why?\ncategory: oauth\nslug: why\norder: 1\nsymptoms: [x]\n---\n",
        "must not be empty",
    ),
    "bad slug": (
        "---\nquestion: Why?\ncategory: oauth\nslug: Not A Slug\norder: 1\nsymptoms: [x]\n---\nA",
        "'slug' must be lower-case",
    ),
    "bad order": (
        "---\nquestion: Why?\ncategory: oauth\nslug: why\norder: first\nsymptoms: [x]\n---\nA",
        "'order' must be a whole number",
    ),
    "bad status": (
        "---\nquestion: Why?\ncategory: oauth\nslug: why\norder: 1\nstatus: live\n"
        "symptoms: [x]\n---\nA",
        "'status' must be one of",
    ),
    "symptoms not a list": (
        "---\nquestion: Why?\ncategory: oauth\nslug: why\norder: 1\nsymptoms: 429\n---\nA",
        "'symptoms' must be a list",
    ),
    "unknown key": (
        "---\nquestion: Why?\ncategory: oauth\nslug: why\norder: 1\nsymptoms: [x]\n"
        "tags: [a]\n---\nA",
        "unknown front matter keys ['tags']",
    ),
    "duplicate slug": (
        "---\nquestion: Why?\ncategory: oauth\nslug: rate-limit-429\norder: 1\n"
        "symptoms: [x]\n---\nA",
        "duplicate slug 'rate-limit-429'",
    ),
}


@pytest.mark.parametrize("case", MALFORMED.keys())
def test_a_malformed_file_stops_the_import_and_changes_nothing(case, faq, content_dir):
    text, message = MALFORMED[case]
    # A valid edit in another file must not be applied either: the import is all or nothing.
    other = content_dir / "entries" / "what-is-json.md"
    other.write_text(other.read_text().replace("open-standard", "CHANGED"))
    bad = content_dir / "entries" / "zz-bad.md"
    bad.write_text(text)
    before = snapshot()
    with pytest.raises(ContentError) as excinfo:
        load_faq(content_dir, prune=True)
    assert message in str(excinfo.value)
    assert "zz-bad.md" in str(excinfo.value)
    assert snapshot() == before


def test_a_file_that_is_not_utf8_is_reported(faq, content_dir):
    (content_dir / "entries" / "zz-bad.md").write_bytes(b"---\nquestion: \xff\xfe\n---\n")
    with pytest.raises(ContentError, match="zz-bad.md: not UTF-8"):
        load_faq(content_dir)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- slug: a\n  name: [", "not valid YAML"),
        ("{}", "must be a list of categories"),
        ("- slug: a\n  name: A\n- slug: a\n  name: B\n", "duplicate slug 'a'"),
        ("- slug: a\n  name: ''\n", "'name' must not be empty"),
        ("- slug: a\n  name: A\n  colour: red\n", "unknown keys"),
    ],
)
def test_a_malformed_categories_file_stops_the_import(text, message, empty_db, content_dir):
    (content_dir / "categories.yaml").write_text(text)
    with pytest.raises(ContentError, match=re.escape(message)):
        load_faq(content_dir)
    assert Entry.objects.count() == 0
    assert Category.objects.count() == 0


def test_the_command_names_the_file_and_the_problem(faq, content_dir):
    (content_dir / "entries" / "zz-bad.md").write_text("no front matter here")
    with pytest.raises(CommandError, match=r"Nothing was imported\. .*zz-bad\.md: no front matter"):
        call_command("load_faq", "--dir", str(content_dir))


def test_the_command_with_if_empty_never_overwrites_admin_edits(faq):
    entry = Entry.objects.get(slug="rate-limit-429")
    entry.answer = "Edited by an engineer."
    entry.save()
    call_command("load_faq", "--if-empty")
    assert Entry.objects.get(slug="rate-limit-429").answer == "Edited by an engineer."


def test_the_export_command_writes_the_files(faq, tmp_path):
    call_command("export_faq", "--dir", str(tmp_path))
    assert len(list((tmp_path / "entries").glob("*.md"))) == 27
    assert (tmp_path / "categories.yaml").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- terms: [one]\n", "at least two"),
        ("- terms: [a, '']\n", "non-empty"),
        ("- terms: ['a,b', c]\n", "no comma"),
        ("- words: [a, b]\n", "unknown keys ['words']"),
        ("- just words\n", "group 1: must be a mapping of terms, note"),
        ("- terms: [a, b]\n- terms: [a, b]\n", "duplicate group"),
        ("terms: [a, b]\n", "must be a list"),
    ],
)
def test_a_malformed_synonyms_file_stops_the_import(text, message, faq, content_dir):
    (content_dir / "synonyms.yaml").write_text(text)
    before = sorted(Synonym.objects.values_list("terms", flat=True))
    with pytest.raises(ContentError, match=re.escape(message)):
        load_faq(content_dir, prune=True)
    assert sorted(Synonym.objects.values_list("terms", flat=True)) == before


def test_prune_removes_synonym_groups_no_longer_in_the_file(faq, content_dir):
    Synonym.objects.create(terms="made, up")
    report = load_faq(content_dir, prune=True)
    assert "synonyms made, up" in report.deleted
    assert not Synonym.objects.filter(terms="made, up").exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_load_faq_prints_plain_lines_of_its_progress_when_not_on_a_terminal(faq):
    out = io.StringIO()
    call_command("load_faq", stdout=out)
    lines = out.getvalue().splitlines()
    total = Entry.objects.count()
    assert lines[0] == f"0 of {total} entry files read"
    assert re.fullmatch(rf"{total} of {total} entry files read in [\d.]+ s", lines[1])
    assert lines[2] == f"0 of {total} entries saved"
    assert re.fullmatch(rf"{total} of {total} entries saved in [\d.]+ s", lines[3])
    assert lines[4].startswith(f"Loaded {settings.CONTENT_DIR}")
    assert "\r" not in out.getvalue()


def test_load_faq_shows_its_progress_on_one_line_on_a_terminal(faq):
    out = Terminal()
    call_command("load_faq", stdout=out)
    total = Entry.objects.count()
    # Each stage rewrites its own line, and the next stage starts on a new one.
    first, second, last = out.getvalue().split("\n")[:3]
    assert first.startswith(f"\r0 of {total} entry files read\x1b[K\r{total} of {total}")
    assert second.startswith(f"\r0 of {total} entries saved\x1b[K\r{total} of {total}")
    assert last.startswith("Loaded ")
