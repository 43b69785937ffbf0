"""How a rebuild writes a new index: each segment's entries and its vocabulary, in one process
or shared between several at once, a segment each.

The spelling field (kb.search.spelling) needs to know which words the entries use and in how
many entries, not which entries: written entry by entry, it was half of all the postings
Whoosh sorted and wrote (1.7 million of 3.4 million at 10,000 entries) and about 45% of a
rebuild. So a rebuild's segment holds its entries without it, and one more document, with no
key, holding each word of their spelling as many times as entries use it: the word's frequency
in the field is its count of entries, as when each entry carried its own words (saves still
do). That document matches no search (it has no other field) and is never deleted; a word an
entry no longer uses stays known until the next rebuild, as Whoosh keeps a deleted entry's
terms until a merge.

Whoosh spends about 5 ms of pure Python per entry analysing and writing (10,000 entries: about
50 s in one process). A rebuild's generation is private until it is swapped in, so the work can
be shared: this process reads the documents and hands them out in batches through a queue;
each worker process analyses its share into a segment of its own; the index's table of contents
then lists those segments (the first version of the index to list any). The result is the
index one writer would make, in as many segments as workers, which searches read as they read
the segments saves leave (kb.search.postings keeps arrays per segment).

Whoosh's own MpWriter does the same but cannot be stopped: cancelling it does not reach its
workers, a worker that dies leaves the writer waiting for ever on a full queue, and a worker
whose result comes late is silently left out of the index. Here a worker that dies or fails
stops the build with an error, workers never outlive it, and the segments must hold every
document handed out or the build fails.

Workers are forked: callers must be single-threaded (management commands); a web worker's
background rebuild writes in its own process (kb.search.sync).
"""

import multiprocessing
import os
import queue
import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.writing import SegmentWriter

from kb.search.analysis import analyze

BATCH = 200  # documents per message to a worker
WAIT_STEP = 1.0  # seconds between two looks at whether the workers are still alive


class BuildFailed(Exception):
    """A worker failed or died; the generation is unusable."""


def write_documents(writer, documents: Iterable[dict]) -> int:
    """Add these entries' documents to the writer's segment, then the segment's vocabulary
    document (above); the number of entries added."""
    vocabulary = Counter()
    added = 0
    for document in documents:
        vocabulary.update(set(analyze(document.pop("spelling"), plain=True)))
        writer.add_document(**document)
        added += 1
    if vocabulary:
        # A list is taken as terms already analysed: each word once per entry that uses it.
        writer.add_document(spelling=list(vocabulary.elements()))
    return added


def write_segments(ix, documents: Iterable[dict], processes: int, batch_size: int = BATCH) -> int:
    """Write `documents` into the empty index `ix` in `processes` worker processes, handed out
    `batch_size` at a time; the number of documents written."""
    context = multiprocessing.get_context("fork")
    jobs = context.Queue(maxsize=processes * 2)  # bounds what waits in memory
    results = context.Queue()
    folder = ix.storage.folder
    workers = [
        context.Process(
            target=_worker, args=(folder, ix.indexname, os.getpid(), jobs, results), daemon=True
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        sent, batch = 0, []
        for document in documents:
            batch.append(document)
            if len(batch) == batch_size:
                _put(jobs, batch, workers, results)
                sent, batch = sent + len(batch), []
        if batch:
            _put(jobs, batch, workers, results)
            sent += len(batch)
        for _ in workers:
            _put(jobs, None, workers, results)
        segments = [_result(results, workers) for _ in workers]
        for worker in workers:
            worker.join()
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
                worker.join()
        jobs.cancel_join_thread()  # what a dead worker left unread must not hold up the exit
        shutil.rmtree(Path(folder) / f"{ix.indexname}.tmp", ignore_errors=True)
    written = sum(added for _, added in segments)
    segments = [segment for segment, _ in segments if segment is not None]
    if written != sent:
        raise BuildFailed(f"the workers wrote {written} of the {sent} entries handed out")
    version = ix.latest_generation() + 1
    TOC(ix.schema, segments, version).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, version, segments)
    return written


def _put(jobs, item, workers, results) -> None:
    while True:
        try:
            jobs.put(item, timeout=WAIT_STEP)
            return
        except queue.Full:
            if any(worker.exitcode is not None for worker in workers):
                # None stops before it is told to, unless it failed (and said why) or died.
                try:
                    _outcome, why = results.get(timeout=WAIT_STEP)
                except queue.Empty:
                    why = "it died"
                raise BuildFailed(f"a worker writing the index stopped early: {why}") from None


def _result(results, workers):
    while True:
        try:
            outcome, value = results.get(timeout=WAIT_STEP)
        except queue.Empty:
            # One that ended well put its result first (it may still be on its way); one
            # killed, or out of memory, never will.
            for worker in workers:
                if worker.exitcode not in (None, 0):
                    raise BuildFailed(
                        f"a worker writing the index died (exit code {worker.exitcode})"
                    ) from None
            continue
        if outcome == "error":
            raise BuildFailed(f"a worker writing the index failed: {value}")
        return value


def _worker(folder: str, indexname: str, parent: int, jobs, results) -> None:
    try:
        ix = FileStorage(folder, supports_mmap=False).open_index(indexname)
        # Not locked: the parent's build owns the new generation, and each worker writes a
        # segment of its own (random names), listed by the parent once all are done.
        writer = SegmentWriter(ix, _lk=False)

        def batches():
            while (batch := _next_batch(jobs, parent)) is not None:
                yield from batch

        if added := write_documents(writer, batches()):
            results.put(("ok", (writer._finalize_segment(), added)))
        else:  # its empty segment's files are cleaned up with the others not listed
            writer._close_segment()
            results.put(("ok", (None, 0)))
    except BaseException as error:  # noqa: BLE001 - told to the parent, which fails the build
        results.put(("error", f"{type(error).__name__}: {error}"))


def _next_batch(jobs, parent: int):
    """The next batch, or None when there are no more; a worker whose parent was killed stops
    (it would wait for ever, holding the rebuild lock it inherited)."""
    while True:
        try:
            return jobs.get(timeout=WAIT_STEP)
        except queue.Empty:
            if os.getppid() != parent:
                raise BuildFailed("the rebuild that started this worker is gone") from None
