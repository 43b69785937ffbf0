"""Small helpers that make rows for tests, with defaults a test can override."""

from kb.models import Category, Entry, ErrorCode, KnownErrorMessage


def make_category(**kwargs) -> Category:
    kwargs.setdefault("name", "Testing")
    kwargs.setdefault("slug", kwargs["name"].lower().replace(" ", "-"))
    kwargs.setdefault("order", 1)
    return Category.objects.create(**kwargs)


def make_entry(**kwargs) -> Entry:
    if "category" not in kwargs:
        kwargs["category"] = Category.objects.first() or make_category()
    kwargs.setdefault("question", "How do I test my integration?")
    kwargs.setdefault("slug", "test-integration")
    kwargs.setdefault("answer", "Use **Postman** against the sandbox.")
    kwargs.setdefault("status", Entry.Status.PUBLISHED)
    return Entry.objects.create(**kwargs)


def make_search(query: str, results: int = 3, **kwargs):
    """A stored search record, as the search view leaves it (opened, created: optional)."""
    from kb.models import SearchRecord

    return SearchRecord.objects.create(query=query, results=results, **kwargs)


def make_error_code(**kwargs) -> ErrorCode:
    kwargs.setdefault("code", 418)
    kwargs.setdefault("name", "I'm a teapot")
    kwargs.setdefault("meaning", "The server refuses to brew coffee.")
    kwargs.setdefault("causes", "Asking a teapot for coffee")
    kwargs.setdefault("fixes", "Ask for tea")
    kwargs.setdefault("retry", ErrorCode.Retry.FIX_FIRST)
    kwargs.setdefault("retry_guidance", "Not unchanged.")
    return ErrorCode.objects.create(**kwargs)


def make_known_message(**kwargs) -> KnownErrorMessage:
    kwargs.setdefault("text", "I am a teapot")
    return KnownErrorMessage.objects.create(**kwargs)


# The admin's entry change form, as an engineer submits it.


def change_form_data(entry: Entry, **changes) -> dict:
    data = {
        "question": entry.question,
        "slug": entry.slug,
        "category": entry.category_id,
        "status": entry.status,
        "order": entry.order,
        "answer": entry.answer,
        "symptoms": entry.symptoms,
    }
    return {**data, **changes}


def save_in_admin(client, entry: Entry, **changes):
    response = client.post(
        f"/admin/kb/entry/{entry.pk}/change/", change_form_data(entry, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    return entry
