"""faq_content/error_codes.yaml: loading, pruning, exporting, and refusing a malformed file."""

import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from kb.content.files import ContentError
from kb.faq import export_faq, load_faq, read_faq
from kb.models import Entry, ErrorCode, KnownErrorMessage

REQUIRED_CODES = {400, 401, 403, 404, 406, 409, 422, 429, 500, 502, 503}


def codes_snapshot():
    codes = [
        (c.code, c.name, c.meaning, c.causes, c.fixes, c.retry, c.retry_guidance, c.updated)
        + (tuple(sorted(c.entries.values_list("slug", flat=True))),)
        for c in ErrorCode.objects.all()
    ]
    messages = [
        (m.text, m.error_code_id, tuple(sorted(m.entries.values_list("slug", flat=True))))
        for m in KnownErrorMessage.objects.all()
    ]
    return codes, messages


def test_the_file_has_every_code_the_issue_names_and_the_known_messages():
    content = read_faq(settings.CONTENT_DIR).error_codes
    assert {c.code for c in content.codes} >= REQUIRED_CODES
    texts = {m.text for m in content.messages}
    assert {
        "App is not connected to this company",
        "Missing Procore-Company-Id header!",
        "The refresh token is invalid",
        "The access token is invalid",
    } <= texts
    for code in content.codes:
        assert code.causes and code.fixes and code.entries, code.code


def test_it_loads_the_codes_and_messages_with_their_entries(faq):
    assert faq.error_codes.created
    assert set(ErrorCode.objects.values_list("code", flat=True)) >= REQUIRED_CODES
    too_many = ErrorCode.objects.get(code=429)
    assert too_many.name == "Too Many Requests"
    assert too_many.retry == ErrorCode.Retry.AFTER_WAIT
    assert "rate-limit-429" in too_many.entries.values_list("slug", flat=True)
    message = KnownErrorMessage.objects.get(text="App is not connected to this company")
    assert message.error_code.code == 403
    assert list(message.entries.values_list("slug", flat=True)) == ["app-not-connected-403"]
    assert KnownErrorMessage.objects.get(text="The refresh token is invalid").error_code is None


def test_a_second_load_changes_no_code_or_message(faq):
    before = codes_snapshot()
    report = load_faq(settings.CONTENT_DIR)
    assert not report.changed
    assert report.error_codes.unchanged == ErrorCode.objects.count() + (
        KnownErrorMessage.objects.count()
    )
    assert codes_snapshot() == before


def test_it_updates_a_code_whose_text_or_entries_changed(faq, content_dir):
    path = content_dir / "error_codes.yaml"
    text = path.read_text()
    text = text.replace("name: Conflict", "name: Conflict (duplicate)")
    text = text.replace(
        "  - refresh-token-lifetime\n- code: 403",
        "  - refresh-token-lifetime\n  - what-is-json\n- code: 403",
    )
    path.write_text(text)
    report = load_faq(content_dir)
    assert sorted(report.error_codes.updated) == ["code 401", "code 409"]
    assert ErrorCode.objects.get(code=409).name == "Conflict (duplicate)"
    assert "what-is-json" in ErrorCode.objects.get(code=401).entries.values_list("slug", flat=True)


def test_prune_removes_codes_and_messages_no_longer_in_the_file(faq, content_dir):
    path = content_dir / "error_codes.yaml"
    text = path.read_text()
    # Drop 406 and the known message "invalid_token".
    text = re.sub(r"- code: 406\n(?:  .*\n)+", "", text)
    text = re.sub(r"- text: invalid_token\n(?:  .*\n)+", "", text)
    path.write_text(text)
    load_faq(content_dir)
    assert ErrorCode.objects.filter(code=406).exists(), "without --prune nothing is deleted"
    report = load_faq(content_dir, prune=True)
    assert sorted(report.error_codes.deleted) == ["code 406", "message 'invalid_token'"]
    assert not ErrorCode.objects.filter(code=406).exists()
    assert not KnownErrorMessage.objects.filter(text="invalid_token").exists()


def test_a_folder_without_the_file_leaves_the_codes_alone(faq, content_dir):
    (content_dir / "error_codes.yaml").unlink()
    before = codes_snapshot()
    report = load_faq(content_dir, prune=True)
    assert report.error_codes is None
    assert codes_snapshot() == before


def test_export_reproduces_the_file(faq, tmp_path):
    export_faq(tmp_path)
    exported = (tmp_path / "error_codes.yaml").read_text()
    assert exported == (settings.CONTENT_DIR / "error_codes.yaml").read_text()


def test_an_admin_edit_survives_export_then_load(faq, tmp_path):
    code = ErrorCode.objects.get(code=422)
    code.fixes = "Read the errors field\r\n\r\nFix the data"
    code.save()
    code.entries.set([Entry.objects.get(slug="what-is-json")])
    KnownErrorMessage.objects.create(text="Something new", error_code=code)
    export_faq(tmp_path)
    before = codes_snapshot()
    report = load_faq(tmp_path, prune=True)
    assert not report.changed
    assert codes_snapshot() == before
    assert ErrorCode.objects.get(code=422).fix_list == ["Read the errors field", "Fix the data"]


VALID_CODE = (
    "- code: 418\n  name: Teapot\n  meaning: No coffee.\n  causes: [Coffee]\n  fixes: [Tea]\n"
    "  retry: fix-first\n  retry_guidance: No.\n  entries: [what-is-json]\n"
)
MALFORMED = {
    "bad YAML": ("codes: [unclosed", "not valid YAML"),
    "a list": ("- code: 400", "must be a mapping with 'codes' and 'messages'"),
    "unknown top key": ("codes: []\ntags: []\n", "must be a mapping with 'codes'"),
    "unknown key": (f"codes:\n{VALID_CODE}  colour: red\n", "unknown keys ['colour']"),
    "code too long": ("codes:\n" + VALID_CODE.replace("418", "4180"), "'code' must be an HTTP"),
    "code as text": ("codes:\n" + VALID_CODE.replace("418", "abc"), "'code' must be an HTTP"),
    "duplicate code": ("codes:\n" + VALID_CODE + VALID_CODE, "code 418: listed twice"),
    "bad retry": (
        "codes:\n" + VALID_CODE.replace("fix-first", "maybe"),
        "'retry' must be one of",
    ),
    "retry no": ("codes:\n" + VALID_CODE.replace("fix-first", "no"), "not False"),
    "empty name": ("codes:\n" + VALID_CODE.replace("Teapot", "''"), "'name' must not be empty"),
    "no causes": ("codes:\n" + VALID_CODE.replace("[Coffee]", "[]"), "'causes' must be a list"),
    "unknown entry": (
        "codes:\n" + VALID_CODE.replace("what-is-json", "no-such-entry"),
        "unknown entries ['no-such-entry']",
    ),
    "message code not in codes": (
        f"codes:\n{VALID_CODE}messages:\n- text: Hello\n  code: 500\n",
        "code 500 is not in 'codes'",
    ),
    "duplicate message": (
        f"codes:\n{VALID_CODE}messages:\n- text: Hello\n- text: hello\n",
        "'hello' is listed twice",
    ),
    "empty message": (f"codes:\n{VALID_CODE}messages:\n- text: ' '\n", "'text' must not be empty"),
}


@pytest.mark.parametrize("case", MALFORMED.keys())
def test_a_malformed_codes_file_stops_the_import_and_changes_nothing(case, faq, content_dir):
    text, message = MALFORMED[case]
    # A valid edit elsewhere must not be applied either: the import is all or nothing.
    other = content_dir / "entries" / "what-is-json.md"
    other.write_text(other.read_text().replace("open-standard", "CHANGED"))
    (content_dir / "error_codes.yaml").write_text(text)
    before = codes_snapshot(), list(Entry.objects.values_list("slug", "answer", "updated"))
    with pytest.raises(ContentError) as excinfo:
        load_faq(content_dir, prune=True)
    assert message in str(excinfo.value)
    assert "error_codes.yaml" in str(excinfo.value)
    assert (codes_snapshot(), list(Entry.objects.values_list("slug", "answer", "updated"))) == (
        before
    )


def test_the_command_reports_codes_and_names_a_bad_codes_file(faq, content_dir, capsys):
    call_command("load_faq", "--dir", str(content_dir))
    assert "Error codes and messages: nothing changed; " in capsys.readouterr().out
    (content_dir / "error_codes.yaml").write_text("codes: [unclosed")
    with pytest.raises(
        CommandError, match=r"Nothing was imported\. .*error_codes\.yaml: not valid"
    ):
        call_command("load_faq", "--dir", str(content_dir))


def test_make_run_seeds_the_codes_into_a_database_that_has_entries_but_no_codes(faq, capsys):
    ErrorCode.objects.all().delete()
    KnownErrorMessage.objects.all().delete()
    entry = Entry.objects.get(slug="rate-limit-429")
    entry.answer = "Edited by an engineer."
    entry.save()
    call_command("load_faq", "--if-empty")
    codes, messages = ErrorCode.objects.count(), KnownErrorMessage.objects.count()
    assert (
        f"Error codes and messages: {codes} error codes and {messages} known messages created"
        in capsys.readouterr().out
    )
    assert ErrorCode.objects.filter(code=429).exists()
    assert Entry.objects.get(slug="rate-limit-429").answer == "Edited by an engineer."


def test_make_run_leaves_edited_codes_alone(faq, capsys):
    ErrorCode.objects.filter(code=429).update(name="Edited in the admin")
    call_command("load_faq", "--if-empty")
    assert "not loading" in capsys.readouterr().out
    assert ErrorCode.objects.get(code=429).name == "Edited in the admin"
