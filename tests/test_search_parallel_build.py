"""How a rebuild writes (kb.search.building): the spelling vocabulary in one document per segment
knows what entries carrying their own words knew; shared between processes, the index holds
every entry once and ranks as one process's does, and a worker that fails or dies stops the
build with the reason, leaving no process behind. (How much faster it is: `make bench`.)"""

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import OrGroup, QueryParser

from kb.search import building, index
from tests.servers import wait_until

QUERIES = ["429 too many requests", "refresh token", "cors", "sandbox", "company id header"]


def new_index(folder):
    folder.mkdir()
    return FileStorage(str(folder), supports_mmap=False).create_index(index.schema())


def ranked(ix, text: str) -> list[tuple[float, str]]:
    """Every match with its score, best first (entries of equal score by key: their order
    within a tie follows where each landed)."""
    parser = QueryParser("answer", ix.schema, group=OrGroup)
    with ix.searcher(weighting=index.WEIGHTING) as searcher:
        hits = searcher.search(parser.parse(text), limit=None)
        return sorted((-round(hit.score, 6), hit["pk"]) for hit in hits)


def faq_documents() -> list[dict]:
    return list(index.documents(index.indexed_entries()))


def test_two_processes_write_every_entry_once_and_rank_as_one_process_does(faq, tmp_path):
    documents = faq_documents()
    shared = new_index(tmp_path / "shared")
    written = building.write_segments(shared, documents, processes=2, batch_size=4)
    alone = new_index(tmp_path / "alone")
    with alone.writer() as writer:
        building.write_documents(writer, faq_documents())

    shared = FileStorage(str(tmp_path / "shared")).open_index()
    assert written == len(documents)
    assert len(shared._segments()) == 2  # one per process
    assert shared.doc_count() == len(documents) + 2  # and a vocabulary each
    with shared.searcher() as searcher:
        keys = sorted(f["pk"] for f in searcher.all_stored_fields() if "pk" in f)
    assert keys == sorted(document["pk"] for document in documents)
    for text in QUERIES:
        # The same entries, scored alike: a second vocabulary document counts in the number
        # of documents and the fields' average lengths, by one in 29 here.
        scores = {pk: -score for score, pk in ranked(shared, text)}
        assert scores == pytest.approx({pk: -score for score, pk in ranked(alone, text)}, rel=0.02)
        assert scores, text
    # Nothing of the workers' is left in the folder: their scratch space, empty segments.
    assert not (tmp_path / "shared" / "MAIN.tmp").exists()
    assert multiprocessing.active_children() == []


def spelling_counts(ix) -> dict[str, int]:
    with ix.reader() as reader:
        return {
            word.decode(): int(reader.frequency("spelling", word))
            for word in reader.lexicon("spelling")
        }


def test_the_vocabulary_knows_each_word_in_as_many_entries_as_entries_written_one_by_one(
    faq, tmp_path
):
    by_entry = new_index(tmp_path / "by-entry")
    with by_entry.writer() as writer:
        for document in faq_documents():
            writer.add_document(**document)
    rebuilt = new_index(tmp_path / "rebuilt")
    with rebuilt.writer() as writer:
        building.write_documents(writer, faq_documents())

    with by_entry.reader() as reader:
        entries_using = {
            word.decode(): reader.doc_frequency("spelling", word)
            for word in reader.lexicon("spelling")
        }
    assert spelling_counts(rebuilt) == entries_using
    assert entries_using["webhooks"] >= 2
    with rebuilt.searcher() as searcher:
        assert searcher.doc_count() == len(faq_documents()) + 1
    # The vocabulary is no entry: no search finds it (ranked() reads each hit's key).
    for text in QUERIES:
        assert [pk for _, pk in ranked(rebuilt, text)] != []


def test_a_worker_that_fails_stops_the_build_with_its_reason(faq, tmp_path):
    documents = faq_documents()
    documents[10] = {**documents[10], "no_such_field": "x"}
    with pytest.raises(building.BuildFailed, match="no_such_field"):
        building.write_segments(new_index(tmp_path / "g"), documents, processes=2, batch_size=2)
    assert multiprocessing.active_children() == []


def test_a_worker_killed_mid_build_stops_it_and_no_process_is_left_behind(faq, tmp_path):
    documents = faq_documents()

    def then_kill_a_worker():
        for number, document in enumerate(documents * 40):
            if number == 100:
                os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)
            yield {**document, "pk": f"{document['pk']}-{number}"}

    with pytest.raises(building.BuildFailed, match="died|stopped early"):
        building.write_segments(
            new_index(tmp_path / "g"), then_kill_a_worker(), processes=2, batch_size=2
        )
    assert multiprocessing.active_children() == []


BUILD_FOR_EVER = """
import os, sys
import django
django.setup()
from whoosh.filedb.filestore import FileStorage
from kb.search import building, index
ix = FileStorage(sys.argv[1]).create_index(index.schema())
def documents():
    number = 0
    while True:  # never ends: the build is killed on its way
        number += 1
        yield {"pk": str(number), "answer": "rate limit", "spelling": "rate limit"}
building.write_segments(ix, documents(), 2)
"""


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()  # noqa: SIM115
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def running(pid: int) -> bool:
    try:
        status = open(f"/proc/{pid}/status").read()  # noqa: SIM115
    except OSError:
        return False
    return "\\nState:\\tZ" not in status  # a zombie has exited


def test_workers_of_a_killed_rebuild_stop_instead_of_holding_its_lock(tmp_path):
    folder = tmp_path / "g"
    folder.mkdir()
    build = subprocess.Popen(
        [sys.executable, "-c", BUILD_FOR_EVER, str(folder)],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "kb.settings", "KB_DATA_DIR": str(tmp_path)},
        cwd=settings.BASE_DIR,
    )
    workers = []
    try:
        workers = wait_until(lambda: len(children_of(build.pid)) >= 2 and children_of(build.pid))
        assert workers, "the build started no workers"
        build.kill()
        build.wait()
        assert wait_until(lambda: not any(running(pid) for pid in workers), timeout=15)
    finally:
        build.kill()
        for pid in workers or []:  # none is left behind, even when the test fails
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
