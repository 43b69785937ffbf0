"""Several web nodes, one database: each node keeps its own index folder, and the search
change log in the database brings every node's index up to date by itself (kb/search/sync.py).

Two real gunicorn servers share one database: a throwaway database on the run's PostgreSQL
server when DATABASE_URL names one (`make test-postgres`, CI), else one SQLite file. Node A was
set up as a deploy does (migrate, the FAQ, its index); node B only collected its static files:
it builds its index from the database on its first search.
"""

import json
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from tests.html import parse
from tests.servers import ROOT, Server, SharedDatabase, two_nodes

pytestmark = [pytest.mark.nodes, pytest.mark.xdist_group("nodes")]

# The edits of one test must not be found by another's searches: each uses its own word.
MARKERS = iter(f"zqxnode{letter}marker" for letter in "abcdefghijklmnopqrstuvwxyz")


class Nodes:
    def __init__(self, a: Server, b: Server, database: SharedDatabase):
        self.a, self.b, self.database = a, b, database

    def manage(self, node: Server, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command],
            env=node.environment,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )


@pytest.fixture(scope="module")
def nodes():
    with two_nodes("kb-nodes-") as (a, b, database):
        assert a.sign_in() == 302
        yield Nodes(a, b, database)


def found_within(node: Server, text: str, slug: str, seconds: float) -> float | None:
    """Seconds until a search on `node` for `text` puts `slug` first; None if it never did."""
    started = time.monotonic()
    while True:
        slugs = node.search_slugs(text)
        elapsed = time.monotonic() - started
        if slugs[:1] == [slug]:
            return elapsed
        if elapsed > seconds:
            return None
        time.sleep(0.05)


def gone_within(node: Server, text: str, slug: str, seconds: float) -> float | None:
    started = time.monotonic()
    while True:
        elapsed = time.monotonic() - started
        if slug not in node.search_slugs(text):
            return elapsed
        if elapsed > seconds:
            return None
        time.sleep(0.05)


def test_node_b_built_its_own_index_from_the_shared_database(nodes):
    assert nodes.b.search_slugs("429")[0] == "rate-limit-429"
    assert not (nodes.a.data_dir / "search").samefile(nodes.b.data_dir / "search")
    assert any((nodes.b.data_dir / "search").iterdir())


def test_an_edit_on_node_a_is_found_on_node_b_within_a_second(nodes):
    marker = next(MARKERS)
    nodes.b.search_slugs("429")  # node B is up and has its index
    assert nodes.a.save_entry("what-is-json", symptoms=f"JSON\n{marker}") == 302
    assert found_within(nodes.b, marker, "what-is-json", seconds=1.0) is not None
    assert nodes.a.search_slugs(marker) == ["what-is-json"]


def test_unpublish_publish_and_delete_on_node_a_reach_node_b_within_a_second(nodes):
    marker = next(MARKERS)
    slug = "monthly-sandbox-restore"
    assert nodes.a.save_entry(slug, symptoms=f"restore\n{marker}") == 302
    assert found_within(nodes.b, marker, slug, seconds=1.0) is not None

    assert nodes.a.save_entry(slug, status="draft", _confirm_unpublish="yes") == 302
    assert gone_within(nodes.b, marker, slug, seconds=1.0) is not None

    assert nodes.a.save_entry(slug, status="published") == 302
    assert found_within(nodes.b, marker, slug, seconds=1.0) is not None

    entry_id = nodes.database.entry_row(slug)["id"]
    status, _, _ = nodes.a.post(f"/admin/kb/entry/{entry_id}/delete/", {"post": "yes"})
    assert status == 302
    assert nodes.database.entry_row(slug) is None
    assert gone_within(nodes.b, marker, slug, seconds=1.0) is not None
    status, _, _ = nodes.b.get(f"/faq/{slug}/")
    assert status == 404


def test_a_synonym_added_on_node_a_applies_on_node_b_within_a_second(nodes):
    marker = next(MARKERS)
    assert nodes.b.search_slugs(marker) == []
    status, _, _ = nodes.a.post(
        "/admin/kb/synonym/add/", {"terms": f"{marker}, invalid_grant", "note": "", "_save": "Save"}
    )
    assert status == 302
    assert found_within(nodes.b, marker, "refresh-token-invalid", seconds=1.0) is not None


def test_node_b_stopped_during_edits_catches_up_when_it_starts_again(nodes):
    first, second = next(MARKERS), next(MARKERS)
    nodes.b.stop()
    try:
        assert nodes.a.save_entry("what-is-json", symptoms=f"JSON\n{first}") == 302
        assert nodes.a.save_entry("access-token-lifetime", symptoms=f"expiry\n{second}") == 302
    finally:
        nodes.b.start()
    assert found_within(nodes.b, first, "what-is-json", seconds=1.0) is not None
    assert nodes.b.search_slugs(second) == ["access-token-lifetime"]
    status, _, body = nodes.b.get("/healthz")
    assert status == 200 and '"index": "current"' in body


def test_a_page_cached_on_node_b_shows_an_edit_made_on_node_a_at_once(nodes):
    # Pages are cached per process, keyed by a content version kept in the shared database.
    def read_on_b() -> tuple[str, str]:  # an anonymous reader: no cookies
        with urllib.request.urlopen(nodes.b.base_url + "/faq/what-is-json/", timeout=30) as page:
            return page.headers["Cache-Control"], page.read().decode()

    marker = next(MARKERS)
    for _ in range(4):  # each worker of node B has the page in its cache
        cache_control, body = read_on_b()
        assert "public" in cache_control and marker not in body
    assert nodes.a.save_entry("what-is-json", answer=f"JSON is a format. {marker}") == 302
    for _ in range(4):
        assert marker in read_on_b()[1]


def test_a_session_started_on_node_a_is_valid_on_node_b(nodes):
    # The session lives in the shared database, signed with the shared key: a load balancer
    # may send an engineer's next request to any node.
    nodes.b.cookies = nodes.a.cookies
    nodes.b.opener = nodes.a.opener
    status, _, body = nodes.b.get("/admin/")
    assert status == 200
    assert parse(body).find("form", id="logout-form").text == "Log out"


def test_writers_on_both_nodes_at_once_lose_no_update_on_either_node(nodes):
    slugs = ["what-is-json", "access-token-lifetime", "rate-limit-429", "refresh-token-invalid"]
    words = {slug: next(MARKERS) for slug in slugs}
    nodes.b.cookies, nodes.b.opener = nodes.a.cookies, nodes.a.opener  # one engineer, two nodes
    statuses, errors = [], []

    def save(node: Server, slug: str):
        try:
            statuses.append(node.save_entry(slug, symptoms=f"{slug}\n{words[slug]}"))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [
        threading.Thread(target=save, args=(nodes.a if n % 2 else nodes.b, slug))
        for n, slug in enumerate(slugs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and statuses == [302] * len(slugs)
    for slug, word in words.items():
        for node in (nodes.a, nodes.b):
            assert found_within(node, word, slug, seconds=5) is not None, (slug, node.base_url)


def test_a_rebuild_on_one_node_while_both_search_and_save_loses_nothing(nodes):
    marker = next(MARKERS)
    errors, answers = [], []
    stop = threading.Event()

    def keep_searching(node: Server):
        try:
            while not stop.is_set():
                # An entry no other test of this module edits: which entry a query of words
                # shared by several comes first on depends on what earlier tests saved.
                answers.append(node.search_slugs("webhooks")[0])
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    searchers = [threading.Thread(target=keep_searching, args=(n,)) for n in (nodes.a, nodes.b)]
    for thread in searchers:
        thread.start()
    rebuilt = nodes.manage(nodes.b, "rebuild_index")
    saved = nodes.a.save_entry("what-is-json", symptoms=f"JSON\n{marker}")
    stop.set()
    for thread in searchers:
        thread.join()
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert saved == 302
    assert errors == []
    assert answers and set(answers) == {"webhooks-change-notifications"}
    for node in (nodes.a, nodes.b):
        assert found_within(node, marker, "what-is-json", seconds=5) is not None, node.base_url


def test_a_draft_revision_published_on_node_a_reaches_node_b_within_a_second(nodes):
    marker = next(MARKERS)
    slug = "rate-limit-429"
    # Saved as a draft revision: the published entry, on both nodes, does not change.
    status = nodes.a.save_entry(
        slug, symptoms=f"429\n{marker}", _save_revision="Save", revision_version="0"
    )
    assert status == 302
    assert nodes.database.entry_row(slug)["symptoms"].count(marker) == 0
    time.sleep(0.5)
    assert slug not in nodes.b.search_slugs(marker)

    entry_id = nodes.database.entry_row(slug)["id"]
    status, _, _ = nodes.a.post(
        f"/admin/kb/entry/{entry_id}/revision/publish/", {"revision_version": "1"}
    )
    assert status == 302
    assert marker in nodes.database.entry_row(slug)["symptoms"]
    assert found_within(nodes.b, marker, slug, seconds=1.0) is not None


def health(node: Server) -> dict:
    status, _, body = node.get("/healthz")
    assert status == 200, body
    return json.loads(body)


def restart_both(nodes, between=lambda: None) -> None:
    nodes.a.stop()
    nodes.b.stop()
    between()
    nodes.a.start()
    nodes.b.start()


def test_a_database_restored_from_an_older_backup_is_followed_by_both_nodes(nodes):
    # Kept for the end of the module: the restore takes the shared database back in time.
    # Words far apart, so that the spelling correction does not take one for the other.
    lost, kept = "wqvrestorelost", next(MARKERS)
    slug = "access-token-lifetime"
    backups = []
    restart_both(nodes, between=lambda: backups.append(nodes.database.backup()))
    assert nodes.a.save_entry(slug, symptoms=f"expiry\n{lost}") == 302
    for node in (nodes.a, nodes.b):
        assert found_within(node, lost, slug, seconds=5) is not None, node.base_url

    nodes.a.stop()
    nodes.b.stop()
    nodes.database.restore(backups[0])
    nodes.a.start()
    # The edit after the restore gets the number the lost one had on both nodes' indexes.
    assert nodes.a.save_entry(slug, symptoms=f"expiry\n{kept}") == 302
    nodes.b.start()
    assert health(nodes.b)["index"] != "current"  # before any search made it look

    for node in (nodes.a, nodes.b):
        assert found_within(node, kept, slug, seconds=5) is not None, node.base_url
        assert slug not in node.search_slugs(lost), node.base_url
        assert health(node)["index"] == "current"
