import copy
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from kb import search
from kb.content.loading import LoadReport
from kb.faq import load_faq
from kb.models import Category
from tests.htmx import HtmxClient

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
    # Signing in checks a password; a deliberately slow hash would only slow the tests down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Readings are written at once, so a test sees them; and nothing a process remembers of
    # another test's database is carried over.
    settings.KB_READING_FLUSH_SECONDS = 0
    from kb.editorial import counters
    from kb.editorial.related import forget_read_next

    forget_read_next()
    counters.discard()
    # Kept pages belong to one test's database: the next test starts with none.
    from django.core.cache import caches

    caches["pages"].clear()
    yield
    counters.discard()


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """A copy of faq_content/ that a test may change."""
    target = tmp_path / "faq_content"
    shutil.copytree(django_settings.CONTENT_DIR, target)
    return target


# The database: the real FAQ is loaded once per test session (django_db_setup), and each test
# runs inside its own transaction, rolled back after it, so every test starts from the same FAQ
# without paying for loading it. The search index built from it is copied, not rebuilt.


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@dataclass(frozen=True)
class SessionFaq:
    report: LoadReport  # what loading the FAQ into the empty test database did
    index_dir: Path  # the search index built from it
    tables: tuple[str, ...]  # the tables the load filled, emptied by `empty_db`


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory) -> SessionFaq:
    index_dir = tmp_path_factory.mktemp("faq-index") / "search"
    with django_db_blocker.unblock(), override_settings(KB_INDEX_DIR=index_dir):
        before = _row_counts()
        report = load_faq(django_settings.CONTENT_DIR)
        search.rebuild()
        filled = tuple(table for table, count in _row_counts().items() if count != before[table])
    return SessionFaq(report, index_dir, filled)


@pytest.fixture
def faq(db, django_db_setup) -> LoadReport:
    """The real FAQ, loaded from faq_content/: what its load into the empty database did."""
    # pytest-django runs the tests that commit after all others, for this reason.
    assert Category.objects.exists(), "a test that commits emptied the database before this one"
    return copy.deepcopy(django_db_setup.report)


@pytest.fixture
def indexed_faq(faq, django_db_setup, settings):
    """The real FAQ, loaded and indexed: a copy of the session's index, this test's own."""
    shutil.copytree(django_db_setup.index_dir, settings.KB_INDEX_DIR, symlinks=True)
    return faq


@pytest.fixture
def empty_db(db, django_db_setup):
    """A database without the FAQ, for tests that load or make their own content: the rows the
    session's load wrote are deleted inside this test's transaction, and come back after it."""
    with connection.cursor() as cursor:
        for table in django_db_setup.tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


@pytest.fixture
def transactional_db(transactional_db):
    """Tests that commit start from an empty database, whichever of them runs first: Django
    empties the database after each of them, but the first finds the session's FAQ."""
    if Category.objects.exists():
        call_command("flush", interactive=False, verbosity=0)


SYNTHETIC_FAQ_SIZE = 50


@pytest.fixture
def synthetic_faq(faq):
    """The real FAQ topped up with the benchmark's synthetic entries, 50 in all (not indexed)."""
    from bench.corpus import load_corpus

    load_corpus(SYNTHETIC_FAQ_SIZE)
    return faq


@pytest.fixture
def client() -> HtmxClient:
    """pytest-django's test client, which also makes requests as htmx does: `htmx=True`."""
    return HtmxClient()


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
def live_faq(transactional_db, live_server, settings):
    """The live server with the real FAQ loaded; returns the server's base URL."""
    # Its own address, as a server's is: the page cache keeps only pages asked of it.
    settings.KB_SITE_URL = live_server.url
    load_faq(django_settings.CONTENT_DIR)
    return live_server.url


@pytest.fixture
def live_index(live_faq):
    """The live server with the real FAQ loaded and indexed; returns the server's base URL."""
    search.rebuild()
    return live_faq


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
    user = django_user_model.objects.create_user(
        username="developer", password="a-long-test-password"
    )
    client = HtmxClient()
    client.force_login(user)
    return client


BROWSER_ERRORS = pytest.StashKey[list[str]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A browser test fails on any console error or uncaught exception in its pages, even when
    everything it asserts holds: the site's scripts must run clean."""
    result = yield
    if errors := item.stash.get(BROWSER_ERRORS, []):
        pytest.fail("The browser reported errors:\n" + "\n".join(errors), pytrace=False)
    return result


def _expected_error(request, text: str) -> bool:
    """`@pytest.mark.expected_console_error(pattern)`: an error the test provokes on purpose,
    such as the browser's own "Failed to load resource" line for a refused request."""
    return any(
        re.search(pattern, text)
        for marker in request.node.iter_markers("expected_console_error")
        for pattern in marker.args
    )


@pytest.fixture
def make_page(browser, request):
    """Pages in a context of their own: a timezone, JavaScript off… Closed after the test.

    Every page of these contexts is watched: a console error or an uncaught exception fails
    the test (see pytest_runtest_call). The site's Content-Security-Policy is on, as in
    production, and the browser reports what it refuses as console errors: an inline script
    or style, eval, a foreign source would fail the test, as it would break a visitor's page."""
    contexts = []
    errors = request.node.stash.setdefault(BROWSER_ERRORS, [])

    def report(text: str) -> None:
        if not _expected_error(request, text):
            errors.append(text)

    def on_console(message) -> None:
        if message.type == "error":
            report(f"console error on {message.location.get('url')}: {message.text}")

    def watch(page) -> None:
        page.on("console", on_console)
        page.on("pageerror", lambda error: report(f"uncaught {error.name}: {error.message}"))

    def make(**context_options):
        context = browser.new_context(**context_options)
        context.on("page", watch)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def clipboard_page(make_page):
    """A page whose scripts may write and read the clipboard, as after a reader allowed it."""
    return make_page(permissions=["clipboard-read", "clipboard-write"])


# Real gunicorn servers, for faults and several nodes (tests/servers.py).


@pytest.fixture(scope="session")
def site_template():
    """A whole site on SQLite, built once per session; tests get copies (make_server)."""
    import tempfile

    from tests.servers import build_site

    base = Path(tempfile.mkdtemp(prefix="kb-site-template-"))
    base.chmod(0o755)
    build_site(base / "data")
    yield base / "data"
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def make_server(site_template):
    """make_server(**environment) serves a fresh copy of the site; stopped after the test."""
    import tempfile

    from tests.servers import Server, copy_site, set_writable

    servers, folders = [], []

    def make(data_dir: Path | None = None, start: bool = True, **environment) -> Server:
        if data_dir is None:
            folder = Path(tempfile.mkdtemp(prefix="kb-server-"))
            folder.chmod(0o755)
            folders.append(folder)
            data_dir = copy_site(site_template, folder / "data")
        server = Server(data_dir, **environment)
        servers.append(server)
        return server.start() if start else server

    yield make
    for server in servers:
        server.stop()
    for folder in folders:
        set_writable(folder, True)  # whatever a test took away, so the folder can go
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def reader():
    """An anonymous reader's browser (it sends a User-Agent, so its reading is counted)."""
    from tests.factories import reader_client

    return reader_client()
