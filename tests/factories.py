"""The tests' shared helpers: rows made with defaults a test can override, the admin form as an
engineer submits it, accounts and clients, signing in a browser, and moments in the past."""

from datetime import datetime, timedelta

from django.utils import timezone

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


def make_entries(count: int, category: Category | None = None, **kwargs) -> list[Entry]:
    """`count` published entries in one category, made in one query: question-0001, …"""
    category = category or Category.objects.first() or make_category()
    kwargs.setdefault("status", Entry.Status.PUBLISHED)
    return Entry.objects.bulk_create(
        Entry(
            category=category,
            question=f"Generated question {number:04d}?",
            slug=f"{category.slug}-question-{number:04d}",
            answer=f"Generated answer {number}.",
            answer_html=f"<p>Generated answer {number}.</p>",
            order=number,
            **kwargs,
        )
        for number in range(1, count + 1)
    )


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
        # The version stored now, as a form opened now carries it (an old revision's
        # instance has its own version; the revert page is opened at the current one).
        "version": Entry.objects.filter(pk=entry.pk).values_list("version", flat=True).first() or 1,
    }
    return {**data, **changes}


def save_in_admin(client, entry: Entry, **changes):
    response = client.post(
        f"/admin/kb/entry/{entry.pk}/change/", change_form_data(entry, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    return entry


# Staff accounts with exactly the permissions a test names, e.g. make_staff("view_entry").


def make_staff(username: str = "limited", *codenames: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(
        username=username, password="a-long-test-password", is_staff=True
    )
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def limited_client(username: str = "limited", *codenames: str):
    """A client signed in as a staff user with only these permissions."""
    from django.test import Client

    client = Client()
    client.force_login(make_staff(username, *codenames))
    return client


# A reader's browser: crawlers and scripts are not counted as readers (kb/editorial/reading.py).
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Safari/537.36"
)


def reader_client():
    from django.test import Client

    return Client(HTTP_USER_AGENT=BROWSER_USER_AGENT)


def sign_in(page, base_url: str, username: str = "engineer") -> None:
    """Sign in to the admin in a browser page (Playwright), as the `engineer` fixture's user."""
    from playwright.sync_api import expect

    page.goto(base_url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Content and support tools")).to_be_visible()


def days_ago(n: int) -> datetime:
    return timezone.now() - timedelta(days=n)


# A raw 429 response as a developer pastes it: headers, a blank line, the body.
RESPONSE_429 = """HTTP/1.1 429 Too Many Requests
Date: Tue, 04 Mar 2025 10:00:00 GMT
Content-Type: text/plain
X-Rate-Limit-Limit: 3600
X-Rate-Limit-Remaining: 0
X-Rate-Limit-Reset: 1741083000

You have surpassed the max number of requests for an hour. Please wait until your limit resets."""
