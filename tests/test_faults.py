"""Faults, against a real gunicorn server: a save that committed always answers as a success,
search catches up by itself once the cause is gone, and a broken index or database never
turns reading into errors.

Taking away the right to write (tests/servers.set_writable) stops root too, who runs CI.
"""

import fcntl
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.servers import AS_ROOT, set_writable, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.xdist_group("faults")]

MARKER = "zqxfaultmarker"


def health(server) -> dict:
    status, _, body = server.get("/healthz")
    return {"http": status, **json.loads(body)}


def test_a_save_succeeds_when_the_index_folder_is_not_writable_and_search_catches_up(make_server):
    server = make_server()
    assert server.sign_in() == 302
    index_dir = server.data_dir / "search"
    set_writable(index_dir, False)
    try:
        status = server.save_entry("what-is-json", symptoms=f"JSON\n{MARKER}one")
        assert status == 302, server.log()[-3000:]
        # The database kept the change…
        assert MARKER + "one" in server.entry_row("what-is-json")["symptoms"]
        # …search still answers, from the index it has…
        assert server.search_slugs("429")[0] == "rate-limit-429"
        assert health(server)["index"] == "behind"
    finally:
        set_writable(index_dir, True)
    # …and follows by itself as soon as the folder can be written again.
    assert wait_until(lambda: server.search_slugs(MARKER + "one") == ["what-is-json"])
    assert wait_until(lambda: health(server)["index"] == "current")


def test_a_save_answers_at_once_while_the_index_lock_is_held(make_server):
    server = make_server()
    assert server.sign_in() == 302
    lock_path = server.data_dir / "search" / "write.lock"
    with open(lock_path, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a stuck writer of this node would
        status = server.save_entry("what-is-json", symptoms=f"JSON\n{MARKER}two")
        assert status == 302
        assert server.search_slugs("429")[0] == "rate-limit-429"  # searches do not wait either
        assert server.search_slugs(MARKER + "two") == []
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert wait_until(lambda: server.search_slugs(MARKER + "two") == ["what-is-json"])


def test_a_truncated_segment_is_detected_and_rebuilt_without_losing_requests(make_server):
    server = make_server()
    assert server.search_slugs("429")[0] == "rate-limit-429"  # workers hold a searcher now
    workers = server.worker_pids()
    current = Path(os.path.realpath(server.data_dir / "search" / "current"))
    segments = [p for p in current.iterdir() if p.suffix == ".seg"]
    assert segments
    for segment in segments:
        with open(segment, "r+b") as handle:
            handle.truncate(segment.stat().st_size // 3)
    # Searches not asked before, so the index itself is read (a repeated one is answered from
    # the per-process result cache without touching the segments).
    queries = ("429 too many requests", "rate limit 429", "429 rate limit exceeded", "HTTP 429")
    answers = [server.search_slugs(query) for query in queries * 3]
    assert all(slugs and slugs[0] == "rate-limit-429" for slugs in answers)
    assert server.worker_pids() == workers, "no worker died (SIGBUS or otherwise)"
    rebuilt = Path(os.path.realpath(server.data_dir / "search" / "current"))
    assert rebuilt != current
    assert health(server)["index"] == "current"


def test_a_missing_index_is_rebuilt_while_search_keeps_answering(make_server):
    server = make_server()
    import shutil

    shutil.rmtree(server.data_dir / "search")
    assert server.search_slugs("Missing Procore-Company-Id header!")[0] == (
        "mpz-company-id-query-parameter"
    )
    assert wait_until(lambda: health(server)["index"] == "current")


@pytest.fixture
def read_only_database(make_server):
    """A server started on a database file it may read but not write."""
    return start_read_only(make_server)


def start_read_only(make_server, **environment):
    server = make_server(start=False, **environment)
    set_database_writable(server, False)
    server.start()
    return server


def set_database_writable(server, writable: bool) -> None:
    database = server.data_dir / "db.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        path = database.with_name(database.name + suffix)
        if path.exists():
            set_writable(path, writable)


def test_reading_and_searching_go_on_when_the_database_refuses_writes(read_only_database):
    server = read_only_database
    assert server.get("/")[0] == 200
    status, _, body = server.get("/search/", q="429")
    assert status == 200
    assert "rate-limit-429" in body
    assert server.get("/faq/rate-limit-429/", sq="1")[0] == 200
    assert server.search_slugs("invalid_grant")[0] == "refresh-token-invalid"
    report = health(server)
    assert (report["http"], report["status"], report["database"]) == (200, "degraded", "read-only")


def test_a_write_to_a_read_only_database_is_a_clear_503(read_only_database):
    server = read_only_database
    server.get("/admin/login/")
    status, headers, body = server.post(
        "/admin/login/?next=/admin/",
        {"username": "engineer", "password": "a-long-test-password", "next": "/admin/"},
    )
    assert status == 503
    assert headers["Retry-After"] == "60"
    assert "Changes are paused" in body


def test_writes_work_again_at_once_when_the_database_can_be_written(read_only_database):
    server = read_only_database
    server.get("/search/", q="before")  # each worker now holds a connection that cannot write
    server.get("/search/", q="before")
    set_database_writable(server, True)
    # A connection that failed to write was closed; every later request can write.
    for number in range(4):
        assert server.get("/search/", q=f"after {number}")[0] == 200
    with server.database() as db:
        queries = {row[0] for row in db.execute("SELECT query FROM kb_searchrecord")}
    assert queries == {"after 0", "after 1", "after 2", "after 3"}
    assert server.sign_in() == 302


def test_a_worker_that_only_read_while_the_database_was_read_only_writes_once_it_can(
    make_server,
):
    # One worker, so every request meets the connection it opened on the read-only file (for
    # the health check of the start and the pages read since), which never tried a write.
    server = start_read_only(make_server, workers=1)
    assert health(server)["database"] == "read-only"
    assert server.get("/")[0] == 200
    assert server.get("/faq/rate-limit-429/")[0] == 200
    set_database_writable(server, True)
    assert server.sign_in() == 302
    assert health(server)["database"] == "ok"


def test_a_node_whose_database_lacks_the_tables_answers_503_on_healthz(make_server, tmp_path):
    # A forgotten DATABASE_URL or a skipped migrate: SELECT 1 works, no page can be served, and
    # a load balancer must take the node out.
    empty = tmp_path / "empty"
    empty.mkdir()
    server = make_server(data_dir=empty)
    status, _, body = server.get("/healthz")
    assert status == 503
    assert json.loads(body)["database"] == "not-migrated"


SUPPORT_REQUEST = {"email": "dev@example.com", "message": "Bursts get 429s. Why?", "entry": ""}


def support_mails_sent(server) -> int:
    # The site's default e-mail backend prints each message to the server's output.
    return server.log().count("Subject: API support request from the knowledge base")


def test_the_support_form_sends_nothing_when_it_cannot_count_the_request(read_only_database):
    server = read_only_database
    assert server.get("/support/")[0] == 200  # the CSRF cookie
    answers = [server.post("/support/", SUPPORT_REQUEST) for _ in range(6)]
    assert support_mails_sent(server) == 0
    assert [status for status, _, _ in answers] == [503] * 6
    assert all(headers["Retry-After"] == "60" for _, headers, _ in answers)
    assert "write to us directly" in answers[0][2]
    # The reader's own mail program still gets the request, context and all.
    status, headers, _ = server.post("/support/email/", {"entry": ""})
    assert status == 303
    assert headers["Location"].startswith("mailto:")


def test_a_sent_support_request_answers_success_when_its_escalation_cannot_be_stored(
    make_server,
):
    server = make_server()
    with server.database() as db:
        # The escalations refuse writes as a read-only database does; the throttle can count.
        db.execute(
            "CREATE TRIGGER refuse_escalations BEFORE INSERT ON kb_escalation "
            "BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END"
        )
    assert server.get("/support/")[0] == 200
    status, headers, _ = server.post("/support/", SUPPORT_REQUEST)
    assert (status, headers["Location"]) == (302, "/support/sent/")
    assert wait_until(lambda: support_mails_sent(server) == 1)
    with server.database() as db:
        assert db.execute("SELECT COUNT(*) FROM kb_escalation").fetchone()[0] == 0


@pytest.fixture
def held_write_lock(make_server):
    """A server, and its SQLite database's write lock held by another process's long
    transaction (`BEGIN IMMEDIATE`, as a migration or an operator in sqlite3 would)."""
    import sqlite3

    server = make_server()
    holder = sqlite3.connect(server.data_dir / "db.sqlite3", isolation_level=None, timeout=20)
    holder.execute("BEGIN IMMEDIATE")
    yield server
    holder.execute("ROLLBACK")
    holder.close()


def timed(call):
    import time

    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def test_a_held_write_lock_never_holds_searches_pages_or_healthz(held_write_lock):
    server = held_write_lock
    report, seconds = timed(lambda: health(server))
    assert seconds < 2
    assert (report["http"], report["status"], report["database"]) == (200, "degraded", "busy")
    # Throttle counts and the search log wait a moment and are skipped: the answer is not.
    for query in ("429", "invalid_grant", "rate limit"):
        slugs, seconds = timed(lambda query=query: server.search_slugs(query))
        assert slugs
        assert seconds < 3  # the throttle's 1 s wait, not 20 s
    (status, _, body), seconds = timed(lambda: server.get("/search/", q="refresh token"))
    assert status == 200
    assert seconds < 3  # the throttle's 1 s and the search log's 0.25 s
    (status, _, _), seconds = timed(lambda: server.get("/faq/rate-limit-429/"))
    assert (status, seconds < 2) == (200, True)


def test_a_write_under_a_held_lock_is_a_clear_503_well_before_the_worker_timeout(
    held_write_lock,
):
    server = held_write_lock
    workers = server.worker_pids()
    assert server.get("/faq/rate-limit-429/")[0] == 200
    (status, headers, body), seconds = timed(
        lambda: server.post("/faq/rate-limit-429/feedback/", {"helpful": "no"})
    )
    assert status == 503, body[:300]
    assert headers["Retry-After"] == "60"
    assert seconds < 8  # the lock wait (5 s) and the throttle's short one, not 20 s twice
    # The support form sends no e-mail it cannot count, and says so at once.
    assert server.get("/support/")[0] == 200
    (status, _, _), seconds = timed(lambda: server.post("/support/", SUPPORT_REQUEST))
    assert (status, seconds < 3) == (503, True)
    assert support_mails_sent(server) == 0
    assert server.worker_pids() == workers, "no worker was killed"


def test_writes_go_on_once_the_long_writer_is_done(make_server):
    import sqlite3

    server = make_server()
    holder = sqlite3.connect(server.data_dir / "db.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    # Not logged: the lock was held (the search page logs searches, the API does not).
    assert server.get("/search/", q="zqxlockedsearch")[0] == 200
    assert health(server)["database"] == "busy"
    holder.execute("ROLLBACK")
    holder.close()
    assert server.get("/search/", q="zqxfreesearch")[0] == 200
    assert health(server)["database"] == "ok"
    with server.database() as db:
        queries = {row[0] for row in db.execute("SELECT query FROM kb_searchrecord")}
    assert "zqxfreesearch" in queries
    assert "zqxlockedsearch" not in queries


@pytest.fixture
def small_index_volume(make_server):
    """A server whose index folder is a filesystem of its own, with room for the generation it
    has and not for a second: a rebuild fails with "No space left on device"."""
    if not AS_ROOT:
        pytest.skip("a small filesystem is mounted as root only (CI runs as root)")
    server = make_server(start=False, KB_INDEX_RETRY_SECONDS="1")
    volume = server.data_dir.parent / "small-volume"
    volume.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=800k", "tmpfs", str(volume)], check=True)
    try:
        shutil.copytree(server.data_dir / "search", volume, symlinks=True, dirs_exist_ok=True)
        server.environment["KB_INDEX_DIR"] = str(volume)
        server.start()
        yield server, volume
    finally:
        server.stop()
        subprocess.run(["umount", "--lazy", str(volume)], check=True)


def rebuild_failures_logged(server) -> int:
    return server.log().count("the search index could not be rebuilt")


def test_a_rebuild_that_cannot_fit_removes_its_generation_and_backs_off(small_index_volume):
    server, volume = small_index_volume
    current = Path(os.path.realpath(volume / "current"))
    # The index no longer says which changes it holds: the node must rebuild it.
    (current / "applied-change").write_text("unreadable")
    started = time.monotonic()
    while time.monotonic() - started < 5:
        assert server.search_slugs("429")[0] == "rate-limit-429"  # from the index it has
        time.sleep(0.1)
    # 1 s, then 2 s, then 4 s between attempts, for every worker of the node together.
    assert 1 <= rebuild_failures_logged(server) <= 3

    def between_attempts() -> bool:
        # An attempt may be under way (a loaded machine builds slowly): none running, a
        # failed build has left nothing behind.
        return "rebuild" not in health(server)["changes"] and list(volume.glob("gen-*")) == [
            current
        ]

    assert wait_until(between_attempts, timeout=15, interval=0.2), "failed builds leave nothing"
    report = health(server)
    assert (report["status"], report["index"]) == ("degraded", "behind")
    assert "No space left on device" in report["changes"]["rebuild_failed"]["error"]
    assert "answers from the index this node has" in server.log()
    assert "answers from the database" not in server.log()

    # Room again: the next attempt, made by a search once the wait is over, succeeds.
    subprocess.run(["mount", "-o", "remount,size=4m", str(volume)], check=True)

    def rebuilt() -> bool:
        assert server.search_slugs("429")[0] == "rate-limit-429"
        report = health(server)  # any worker's: every one must know the rebuild succeeded
        return report["index"] == "current" and "rebuild_failed" not in report["changes"]

    assert wait_until(rebuilt, timeout=30, interval=0.5)
    for _ in range(6):  # each worker, not only the one that rebuilt
        assert "rebuild_failed" not in health(server)["changes"]
    assert server.search_slugs("429")[0] == "rate-limit-429"


def test_leftovers_of_unfinished_rebuilds_are_swept_at_start_up(make_server):
    server = make_server(start=False)
    folder = server.data_dir / "search"
    current = Path(os.path.realpath(folder / "current"))
    number = int(current.name.removeprefix("gen-"))
    kept = shutil.copytree(current, folder / f"gen-{number - 10}")  # finished, kept on purpose
    older = shutil.copytree(current, folder / f"gen-{number - 20}")  # finished, too old
    unfinished = shutil.copytree(current, folder / f"gen-{number + 10}")  # a build that died
    (unfinished / "applied-change").unlink()
    server.start()
    assert server.search_slugs("429")[0] == "rate-limit-429"
    assert sorted(folder.glob("gen-*")) == [kept, current]
    assert not older.exists() and not unfinished.exists()
