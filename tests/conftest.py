import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from kb import search
from kb.faq import load_faq

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium` (as root) "
    "to run the browser tests; .ci/run does this itself"
)


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    browser_items = [item for item in items if "browser" in item.keywords]
    if not browser_items:
        return
    if os.environ.get("KB_REQUIRE_BROWSER") or os.environ.get("CI"):
        raise pytest.UsageError(f"{INSTALL_HINT}. Browser tests must run in CI.")
    skip = pytest.mark.skip(reason=INSTALL_HINT)
    for item in browser_items:
        item.add_marker(skip)


def pytest_report_header(config):
    if not Path(CHROMIUM).exists():
        return f"NOTICE: {INSTALL_HINT}"
    return None


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Static files straight from static/, without collectstatic's manifest.
    settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    # Every test gets its own search index, never the one in var/.
    settings.KB_INDEX_DIR = tmp_path / "search"
    # Readings are written at once, so a test sees them; and nothing a process remembers of
    # another test's database is carried over.
    settings.KB_READING_FLUSH_SECONDS = 0
    from kb.editorial import counters
    from kb.editorial.related import forget_read_next

    forget_read_next()
    counters.discard()
    yield
    counters.discard()


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """A copy of faq_content/ that a test may change."""
    target = tmp_path / "faq_content"
    shutil.copytree(django_settings.CONTENT_DIR, target)
    return target


@pytest.fixture
def faq(db):
    """The real FAQ, loaded from faq_content/."""
    return load_faq(django_settings.CONTENT_DIR)


@pytest.fixture
def indexed_faq(faq):
    """The real FAQ, loaded and indexed."""
    search.rebuild()
    return faq


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="engineer", password="a-long-test-password", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


# Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls that the test
    # itself makes are still synchronous, so Django's async guard does not apply.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(make_page):
    return make_page()


@pytest.fixture
def live_faq(transactional_db, live_server):
    """The live server with the real FAQ loaded; returns the server's base URL."""
    load_faq(django_settings.CONTENT_DIR)
    return live_server.url


@pytest.fixture
def engineer(django_user_model, live_faq):
    """A support engineer's account on the live server; returns the server's base URL."""
    django_user_model.objects.create_user(
        username="engineer", password="a-long-test-password", is_staff=True, is_superuser=True
    )
    return live_faq


@pytest.fixture
def visitor_client(django_user_model):
    """Signed in, but not staff: a developer with an account, not a support engineer.

    A client of its own, so that a test can use it next to `staff_client`."""
    from django.test import Client

    user = django_user_model.objects.create_user(
        username="developer", password="a-long-test-password"
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def make_page(browser):
    """Pages in a context of their own: a timezone, JavaScript off… Closed after the test."""
    contexts = []

    def make(**context_options):
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def htmx_headers() -> dict[str, str]:
    """The header htmx sends with each of its requests."""
    return {"HX-Request": "true"}


@pytest.fixture
def clipboard_page(browser):
    """A page whose scripts may write and read the clipboard, as after a reader allowed it."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def reader():
    """An anonymous reader's browser (it sends a User-Agent, so its reading is counted)."""
    from tests.factories import reader_client

    return reader_client()
