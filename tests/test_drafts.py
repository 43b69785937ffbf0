import io

import frontmatter
from django.core.management import call_command
from django.test import Client

from kb.models import Entry
from tests.factories import make_category, make_entry


def make_draft(**kwargs) -> Entry:
    kwargs.setdefault("slug", "secret-draft")
    kwargs.setdefault("question", "Secret draft question?")
    kwargs.setdefault("status", Entry.Status.DRAFT)
    return make_entry(**kwargs)


def test_a_signed_in_visitor_who_is_not_staff_cannot_see_a_draft(visitor_client, empty_db):
    category = make_category(name="Webhooks", slug="webhooks")
    make_entry(category=category, slug="published", question="Published question?")
    make_draft(category=category)

    assert visitor_client.get("/faq/secret-draft/").status_code == 404
    category_page = visitor_client.get("/c/webhooks/").content.decode()
    assert "Published question?" in category_page
    assert "Secret draft question?" not in category_page
    assert "Secret draft question?" not in visitor_client.get("/").content.decode()


def test_a_category_with_only_drafts_is_not_found_for_the_public(visitor_client, staff_client, db):
    make_draft(category=make_category(name="Upcoming", slug="upcoming"))
    assert visitor_client.get("/c/upcoming/").status_code == 404
    assert Client().get("/c/upcoming/").status_code == 404
    staff_page = staff_client.get("/c/upcoming/").content.decode()
    assert "Secret draft question?" in staff_page and "badge-draft" in staff_page


def test_a_draft_links_to_nothing_public(client, db):
    make_entry(slug="published")
    make_draft()
    page = client.get("/faq/published/").content.decode()
    assert "/faq/secret-draft/" not in page


def test_an_inactive_staff_account_cannot_see_a_draft(client, django_user_model, db):
    user = django_user_model.objects.create_user(
        username="former", password="a-long-test-password", is_staff=True, is_active=False
    )
    client.force_login(user)
    make_draft()
    assert client.get("/faq/secret-draft/").status_code == 404


def test_an_engineer_views_a_draft_on_site_from_the_admin(staff_client, db):
    draft = make_draft()
    form = staff_client.get(f"/admin/kb/entry/{draft.pk}/change/").content.decode()
    assert "View draft on site" in form
    response = staff_client.get(f"/admin/r/{_content_type_id()}/{draft.pk}/", follow=True)
    assert response.redirect_chain[-1][0].endswith("/faq/secret-draft/")
    assert "Only staff can see this entry" in response.content.decode()


def test_a_published_entry_keeps_the_usual_view_on_site(staff_client, db):
    entry = make_entry()
    form = staff_client.get(f"/admin/kb/entry/{entry.pk}/change/").content.decode()
    assert "View on site" in form and "View draft on site" not in form


def test_publishing_a_draft_makes_it_public(staff_client, db):
    draft = make_draft(symptoms="webhook 410")
    staff_client.post(
        f"/admin/kb/entry/{draft.pk}/change/",
        {
            "question": draft.question,
            "slug": draft.slug,
            "category": draft.category_id,
            "status": "published",
            "order": 0,
            "answer": draft.answer,
            "symptoms": draft.symptoms,
            "version": draft.version,
        },
    )
    response = Client().get("/faq/secret-draft/")
    assert response.status_code == 200
    assert "Only staff can see this entry" not in response.content.decode()


def test_export_writes_drafts_with_their_symptoms(db, tmp_path):
    make_entry(slug="published", symptoms="HTTP 429")
    make_draft(symptoms="webhook 410 Gone\nX-Webhook-Signature")
    call_command("export_faq", dir=tmp_path, stdout=io.StringIO())

    draft = frontmatter.load(tmp_path / "entries" / "secret-draft.md")
    assert draft["status"] == "draft"
    assert draft["question"] == "Secret draft question?"
    assert draft["symptoms"] == ["webhook 410 Gone", "X-Webhook-Signature"]
    assert draft.content == "Use **Postman** against the sandbox."
    assert frontmatter.load(tmp_path / "entries" / "published.md")["status"] == "published"


def _content_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Entry).pk
