"""A staff account can do in the admin only what its permissions say.

Every write path of every admin model is tried by a staff user who holds every permission
except the one that path needs: each must be refused and change nothing stored.
"""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from kb.models import Category, Entry, ErrorCode, Feedback, KnownErrorMessage, Synonym
from tests.factories import (
    change_form_data,
    make_category,
    make_entry,
    make_error_code,
    make_known_message,
    save_in_admin,
)

MODELS = {
    "category": Category,
    "entry": Entry,
    "synonym": Synonym,
    "errorcode": ErrorCode,
    "knownerrormessage": KnownErrorMessage,
    "feedback": Feedback,
}


def staff_client_without(django_user_model, *missing: str) -> Client:
    """A signed-in staff member holding every kb permission except `missing` (codenames)."""
    user = django_user_model.objects.create_user(
        username="partial", password="a-long-test-password", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="kb").exclude(codename__in=missing)
    )
    client = Client()
    client.force_login(user)
    return client


def snapshot() -> dict:
    """Everything the admin could change, as plain values."""
    return {name: sorted(map(repr, model.objects.values_list())) for name, model in MODELS.items()}


@pytest.fixture
def rows(empty_db):
    category = make_category(name="Testing")
    entry = make_entry(category=category, status=Entry.Status.DRAFT, symptoms="E42")
    code = make_error_code()
    message = make_known_message(error_code=code)
    synonym = Synonym.objects.create(terms="hook, webhook")
    vote = Feedback.objects.create(entry=entry, helpful=False, reason="no", visitor_key="k")
    return {
        "category": category,
        "entry": entry,
        "errorcode": code,
        "knownerrormessage": message,
        "synonym": synonym,
        "feedback": vote,
    }


def _form_data(name: str, row) -> dict:
    if name == "entry":
        return change_form_data(row, question="Changed by someone without the right")
    if name == "category":
        return {"name": "Changed", "slug": row.slug, "description": "", "order": 1}
    if name == "synonym":
        return {"terms": "changed, terms", "note": ""}
    if name == "errorcode":
        return {
            "code": row.code,
            "name": "Changed",
            "meaning": "m",
            "causes": "c",
            "fixes": "f",
            "retry": row.retry,
            "retry_guidance": "g",
            "messages-TOTAL_FORMS": "0",
            "messages-INITIAL_FORMS": "0",
        }
    if name == "knownerrormessage":
        return {"text": "Changed text"}
    return {}


@pytest.mark.parametrize("name", ["category", "entry", "synonym", "errorcode", "knownerrormessage"])
def test_it_refuses_an_add_without_the_add_permission(django_user_model, rows, name):
    client = staff_client_without(django_user_model, f"add_{name}")
    before = snapshot()
    data = _form_data(name, rows[name])
    if name == "entry":
        data["slug"] = "brand-new"
    response = client.post(f"/admin/kb/{name}/add/", data)
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    "name", ["category", "entry", "synonym", "errorcode", "knownerrormessage", "feedback"]
)
def test_it_refuses_a_change_without_the_change_permission(django_user_model, rows, name):
    client = staff_client_without(django_user_model, f"change_{name}")
    before = snapshot()
    row = rows[name]
    response = client.post(f"/admin/kb/{name}/{row.pk}/change/", _form_data(name, row))
    # Without the change permission the admin shows the object read-only: a POST saves nothing.
    assert response.status_code in (200, 403)
    assert snapshot() == before


@pytest.mark.parametrize(
    "name", ["category", "entry", "synonym", "errorcode", "knownerrormessage", "feedback"]
)
def test_it_refuses_a_delete_without_the_delete_permission(django_user_model, rows, name):
    client = staff_client_without(django_user_model, f"delete_{name}")
    before = snapshot()
    row = rows[name]
    response = client.post(f"/admin/kb/{name}/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    "name", ["category", "entry", "synonym", "errorcode", "knownerrormessage", "feedback"]
)
def test_the_bulk_delete_needs_the_delete_permission(django_user_model, rows, name):
    client = staff_client_without(django_user_model, f"delete_{name}")
    before = snapshot()
    client.post(
        f"/admin/kb/{name}/",
        {"action": "delete_selected", "_selected_action": [rows[name].pk], "post": "yes"},
    )
    assert snapshot() == before


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_publish_and_unpublish_need_the_change_permission(django_user_model, rows, action):
    entry = rows["entry"]
    if action == "unpublish":
        Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.PUBLISHED)
    client = staff_client_without(django_user_model, "change_entry")
    before = snapshot()
    client.post("/admin/kb/entry/", {"action": action, "_selected_action": [entry.pk]})
    assert snapshot() == before


def test_a_view_only_user_is_not_offered_the_publish_actions(django_user_model, rows):
    client = staff_client_without(django_user_model, "change_entry")
    html = client.get("/admin/kb/entry/").content.decode()
    assert 'value="publish"' not in html
    assert 'value="unpublish"' not in html


def test_the_category_list_cannot_reorder_without_the_change_permission(django_user_model, rows):
    client = staff_client_without(django_user_model, "change_category")
    category = rows["category"]
    before = snapshot()
    client.post(
        "/admin/kb/category/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": category.pk,
            "form-0-order": "99",
            "_save": "Save",
        },
    )
    assert snapshot() == before


def _edited_twice(client_with_all_rights, row):
    """An entry with an older revision to go back to."""
    save_in_admin(client_with_all_rights, row, answer="The first answer.")
    save_in_admin(client_with_all_rights, row, answer="The second answer.")
    return row.history.order_by("history_id").first().history_id


def test_reverting_an_entry_needs_the_change_permission(django_user_model, staff_client, rows):
    entry = rows["entry"]
    old_revision = _edited_twice(staff_client, entry)
    client = staff_client_without(django_user_model, "change_entry")
    url = f"/admin/kb/entry/{entry.pk}/history/{old_revision}/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # no Revert button to press
    before = snapshot()
    response = client.post(url, {**change_form_data(entry), "_save": "Revert"})
    assert response.status_code == 403
    assert snapshot() == before
    assert Client().get(entry.get_absolute_url()).status_code == 404  # still a draft


def test_reverting_an_error_code_needs_the_change_permission(django_user_model, staff_client, rows):
    code = rows["errorcode"]
    code.name = "Renamed once"
    code.save()
    old_revision = code.history.order_by("history_id").first().history_id
    client = staff_client_without(django_user_model, "change_errorcode")
    before = snapshot()
    response = client.post(
        f"/admin/kb/errorcode/{code.pk}/history/{old_revision}/",
        {**_form_data("errorcode", code), "name": "Forged", "_save": "Revert"},
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_an_engineer_with_the_change_permission_still_reverts(
    django_user_model, staff_client, rows
):
    entry = rows["entry"]
    old_revision = _edited_twice(staff_client, entry)
    client = staff_client_without(django_user_model)  # every kb permission
    old = entry.history.get(history_id=old_revision)
    response = client.post(
        f"/admin/kb/entry/{entry.pk}/history/{old_revision}/",
        {**change_form_data(old.instance), "_save": "Revert"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.answer == old.answer


def test_the_live_preview_needs_the_add_or_change_permission(django_user_model, rows):
    client = staff_client_without(django_user_model, "add_entry", "change_entry")
    response = client.post("/admin/kb/entry/preview/", {"answer": "**hi**"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/admin/kb/entry/abc/history/",
        "/admin/kb/entry/abc/history/1/",
        "/admin/kb/entry/1/history/abc/",
        "/admin/kb/errorcode/abc/history/",
        "/admin/kb/entry/abc/history/compare/",
        "/admin/kb/entry/99999999999999999999999/history/",
    ],
)
def test_history_pages_with_ids_that_are_not_numbers_are_not_found(staff_client, rows, url):
    assert staff_client.get(url).status_code == 404


def test_staff_without_the_view_permission_do_not_see_drafts(django_user_model, rows):
    entry = rows["entry"]
    client = staff_client_without(django_user_model, "view_entry", "change_entry")
    assert client.get(entry.get_absolute_url()).status_code == 404
    assert client.get(entry.category.get_absolute_url()).status_code == 404


def test_staff_allowed_to_view_entries_see_drafts(django_user_model, rows):
    entry = rows["entry"]
    client = staff_client_without(django_user_model, "change_entry")
    assert client.get(entry.get_absolute_url()).status_code == 200
