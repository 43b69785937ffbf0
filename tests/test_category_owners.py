"""Each category has a default owner (faq_content/categories.yaml and the admin): an entry
without an owner of its own counts as theirs in the review list and the daily digest."""

from io import StringIO

import pytest
import yaml
from django.core import mail
from django.core.management import call_command
from django.test import Client

from kb.content.files import ContentError
from kb.content.loading import export_content
from kb.faq import load_faq
from kb.models import Category, Entry
from tests.factories import days_ago, make_category, make_entry, make_staff
from tests.html import parse


def verified(entry: Entry, days: int) -> Entry:
    Entry.objects.filter(pk=entry.pk).update(last_verified=days_ago(days), created=days_ago(days))
    return entry


def set_owner_in_file(content_dir, slug: str, owner: str) -> None:
    path = content_dir / "categories.yaml"
    categories = yaml.safe_load(path.read_text())
    for category in categories:
        if category["slug"] == slug:
            category["owner"] = owner
    path.write_text(yaml.safe_dump(categories, sort_keys=False))


def test_load_faq_reads_each_categorys_owner(empty_db, content_dir):
    alice = make_staff("alice")
    set_owner_in_file(content_dir, "oauth", "alice")
    set_owner_in_file(content_dir, "json", "nobody-here")
    report = load_faq(content_dir)
    assert Category.objects.get(slug="oauth").default_owner == alice
    assert Category.objects.get(slug="json").default_owner is None
    assert report.unknown_owners == ["json: nobody-here"]


def test_a_file_without_an_owner_keeps_the_one_chosen_in_the_admin(empty_db, content_dir):
    load_faq(content_dir)
    bob = make_staff("bob")
    Category.objects.filter(slug="oauth").update(default_owner=bob)
    load_faq(content_dir)
    assert Category.objects.get(slug="oauth").default_owner == bob


def test_export_writes_the_owner_back(empty_db, content_dir, tmp_path):
    load_faq(content_dir)
    Category.objects.filter(slug="oauth").update(default_owner=make_staff("carol"))
    export_content(tmp_path / "out")
    written = yaml.safe_load((tmp_path / "out" / "categories.yaml").read_text())
    assert {c["slug"]: c.get("owner") for c in written}["oauth"] == "carol"
    assert "owner" not in {c["slug"]: c for c in written}["json"]


@pytest.mark.parametrize("owner", ["two words", 42])
def test_an_owner_that_is_not_a_username_is_refused(empty_db, content_dir, owner):
    set_owner_in_file(content_dir, "oauth", owner)
    with pytest.raises(ContentError, match="must be a username"):
        load_faq(content_dir)


@pytest.fixture
def owned(empty_db, settings):
    settings.KB_REVIEW_INTERVAL_DAYS = 30
    alice = make_staff("alice")
    alice.email = "alice@example.com"
    alice.save()
    bob = make_staff("bob")
    bob.email = "bob@example.com"
    bob.save()
    hers = make_category(name="Webhooks", default_owner=alice)
    other = make_category(name="Other")
    verified(make_entry(slug="w1", question="Unowned webhook answer?", category=hers), days=40)
    verified(
        make_entry(slug="w2", question="Bob's webhook answer?", category=hers, owner=bob), days=40
    )
    verified(make_entry(slug="o1", question="Nobody's answer?", category=other), days=40)
    return alice


def test_the_due_list_counts_an_unowned_entry_for_its_categorys_owner(staff_client, owned):
    panel = parse(staff_client.get("/admin/").content).find(id="review-due")
    cells = zip(panel.find_all("th"), panel.find_all("td"), strict=True)
    assert {th.words: td.words for th, td in cells} == {
        "alice": "1 due",
        "bob": "1 due",
        "Nobody (no owner)": "1 due",
    }
    alice_link = next(a for a in panel.find_all("a") if a.words == "alice").attrs["href"]
    listed = parse(staff_client.get(alice_link).content).find("table", id="result_list")
    assert [th.words for th in listed.find_all("th", cls="field-question")] == [
        "Unowned webhook answer?"
    ]
    assert "alice (category)" in listed.find("td", cls="field-review_due_column").words


def test_the_responsible_filter_refuses_what_is_not_a_person(staff_client, owned):
    response = staff_client.get("/admin/kb/entry/", {"responsible": "1 OR 1=1"})
    assert response.status_code in (200, 302)
    nobody = parse(staff_client.get("/admin/kb/entry/", {"responsible": "nobody"}).content)
    assert [th.words for th in nobody.find_all("th", cls="field-question")] == ["Nobody's answer?"]


def test_the_digest_goes_to_the_categorys_owner(owned):
    out = StringIO()
    call_command("send_review_digest", stdout=out)
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Unowned webhook answer?" in bodies["alice@example.com"]
    assert "Bob's webhook answer?" not in bodies["alice@example.com"]
    assert f"responsible={owned.pk}" in bodies["alice@example.com"]
    assert "1 due entry has no owner" in out.getvalue()


def other_category_form(**changes) -> dict:
    """The change form of the "other" category as the admin posts it."""
    return {"name": "Other", "slug": "other", "description": "", "order": 1, **changes}


def test_an_engineer_sets_a_default_owner_in_the_admin(staff_client, owned):
    category = Category.objects.get(slug="other")
    response = staff_client.post(
        f"/admin/kb/category/{category.pk}/change/",
        other_category_form(default_owner=owned.pk),
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.default_owner == owned
    assert "alice" in staff_client.get("/admin/kb/category/").content.decode()


def test_without_the_change_permission_the_default_owner_stays(owned):
    category = Category.objects.get(slug="other")
    client = Client()
    client.force_login(make_staff("viewer", "view_category"))
    client.post(
        f"/admin/kb/category/{category.pk}/change/",
        other_category_form(default_owner=owned.pk),
    )
    category.refresh_from_db()
    assert category.default_owner is None
