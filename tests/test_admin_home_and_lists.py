"""What engineers scan: the entry list's Status column, the comparison that skips
verifications, and the admin home's order and links."""

from kb.models import Entry
from kb.review import verification
from tests.factories import limited_client, make_entry, save_in_admin
from tests.html import parse


def test_the_entry_list_has_a_status_column(staff_client, faq):
    Entry.objects.filter(slug="what-is-json").update(status=Entry.Status.DRAFT)
    table = parse(staff_client.get("/admin/kb/entry/", {"o": "1"}).content).find(
        "table", id="result_list"
    )
    assert "Status" in [th.words for th in table.find("thead").find_all("th")]
    statuses = {
        row.find("th", cls="field-question").words: row.find("td", cls="field-status_column").words
        for row in table.find("tbody").find_all("tr")
    }
    assert statuses[Entry.objects.get(slug="what-is-json").question] == "Draft"
    assert statuses[Entry.objects.get(slug="rate-limit-429").question] == "Published"


def test_compare_revisions_skips_a_verification_on_top(staff_client, staff_user, db):
    entry = make_entry(answer="First answer.")
    save_in_admin(staff_client, entry, answer="Second answer.")
    verification.verify([Entry.objects.get(pk=entry.pk)], staff_user)
    assert entry.history.count() == 3
    response = staff_client.get(f"/admin/kb/entry/{entry.pk}/history/compare/")
    changed = [c.name for c in response.context["comparisons"] if c.changed]
    assert changed == ["answer"]
    assert len(response.context["revisions"]) == 2


def test_the_admin_home_puts_the_knowledge_base_first_and_links_the_work(staff_client, db):
    page = parse(staff_client.get("/admin/").content)
    apps = [caption.words for caption in page.find(id="content-main").find_all("caption")]
    assert apps.index("Knowledge base") < apps.index("Axes")
    links = {a.words: a.attrs["href"] for a in page.find(id="work-links").find_all("a")}
    assert links == {
        "Search insights": "/admin/kb/searchrecord/",
        "Unanswered searches": "/admin/kb/searchrecord/gaps/",
        "Answers due for review": "/admin/kb/entry/?review=due",
    }


def test_the_home_links_only_what_the_engineer_may_open(db):
    html = limited_client("nobody").get("/admin/").content.decode()
    assert 'id="work-links"' not in html
    page = parse(limited_client("reader", "view_entry").get("/admin/").content)
    assert [a.words for a in page.find(id="work-links").find_all("a")] == ["Answers due for review"]
