from django.test import Client

from kb.models import Entry
from tests.factories import make_entry

URL = "/admin/kb/entry/preview/"


def test_the_preview_renders_the_answer_as_the_page_does(staff_client, db):
    answer = "Send **Authorization** with `Bearer <token>`.\n\n| A | B |\n|---|---|\n| 1 | 2 |"
    response = staff_client.post(URL, {"answer": answer})
    assert response.status_code == 200
    html = response.content.decode()
    entry = make_entry(answer=answer)
    assert entry.answer_html in html
    assert "<strong>Authorization</strong>" in html and "<table>" in html
    assert "<html" not in html


def test_the_preview_is_sanitized_like_the_page(staff_client, db):
    answer = '<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror="alert(3)">'
    html = staff_client.post(URL, {"answer": answer}).content.decode()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


def test_an_empty_answer_says_there_is_nothing_to_preview(staff_client, db):
    html = staff_client.post(URL, {"answer": "   "}).content.decode()
    assert "Nothing to preview yet" in html


def test_the_entry_form_has_the_preview_panel_and_htmx(staff_client, db):
    entry = make_entry(answer="Use **Postman**.")
    html = staff_client.get(f"/admin/kb/entry/{entry.pk}/change/").content.decode()
    assert 'hx-post="/admin/kb/entry/preview/"' in html
    assert 'hx-trigger="input changed delay:300ms"' in html
    assert 'hx-target="#answer-preview"' in html
    assert 'id="answer-preview"' in html
    assert "<strong>Postman</strong>" in html  # rendered before any typing, JavaScript or not
    assert "htmx" in html and ".js" in html

    add_form = staff_client.get("/admin/kb/entry/add/").content.decode()
    assert "Nothing to preview yet" in add_form


def test_visitors_who_are_not_staff_cannot_use_the_preview(visitor_client, db):
    for client in (visitor_client, Client()):
        response = client.post(URL, {"answer": "**secret**"})
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        assert b"<strong>" not in response.content


def test_staff_without_entry_permissions_cannot_use_the_preview(client, django_user_model, db):
    user = django_user_model.objects.create_user(
        username="intern", password="a-long-test-password", is_staff=True
    )
    client.force_login(user)
    assert client.post(URL, {"answer": "**x**"}).status_code == 403


def test_the_preview_needs_the_csrf_token(staff_user, db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert client.post(URL, {"answer": "**x**"}).status_code == 403


def test_the_preview_takes_only_posts(staff_client, db):
    assert staff_client.get(URL, {"answer": "**x**"}).status_code == 405


def test_the_preview_changes_nothing_stored(staff_client, db):
    entry = make_entry(answer="Original.")
    staff_client.post(URL, {"answer": "Changed."})
    assert Entry.objects.get(pk=entry.pk).answer == "Original."
    assert entry.history.count() == 1
