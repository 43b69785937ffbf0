"""Keeping this node's index following the database, whatever happens to either.

The database is the source of truth. A change that affects search is recorded in the change
log in the transaction that makes it (`schedule_update` and friends, called by the signals);
the index is a local copy that knows the last change it contains. So:

- after a save commits, the process that saved applies the change at once, waiting at most
  SAVE_LOCK_WAIT for the index; if it cannot (a held lock, an unwritable folder, a full disk)
  the save still succeeds, and the change stays in the log;
- before a search, a process looks at most every KB_INDEX_CHECK_SECONDS (one small query) for
  changes its index lacks, and applies them; so another node, or this one after a failure,
  catches up by itself as soon as it can write again;
- a node without an index, with an index that does not say what it contains, with changes the
  log no longer holds, with too many to apply one by one, or from another history than the
  database's (a database restored from a backup: more changes than the log holds, or a change
  whose number the log gives to another change, told by its token) rebuilds; a rebuild takes no lock
  while it builds, so saves and searches go on, and applies what changed meanwhile after the
  swap. A large rebuild runs in a background thread while searches answer from the database.

Nothing here ever raises into a save or a search: failures are logged and retried.
"""

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from kb.content.models import Entry
from kb.search import changes, index
from kb.search.models import SearchChange

logger = logging.getLogger(__name__)

SAVE_LOCK_WAIT = 2.0  # a save waits this long at most for the index, far below any timeout
SWAP_LOCK_WAIT = 10.0  # a rebuild waits this long to swap in its generation
MAX_CHANGES_TO_APPLY = 1000  # more changes than this: a rebuild is quicker
FOREGROUND_ENTRIES = 50  # more entries to re-index than this go to a background thread
FOREGROUND_REBUILD_ENTRIES = 500  # a rebuild of at most this many entries runs in the request
# When rebuilding fails (a full disk, an unwritable folder), the node waits this long before
# the next attempt, twice as long after each further failure, up to RETRY_REBUILD_AT_MOST:
# a volume too small for two generations is not filled and emptied again and again.
RETRY_REBUILD_AT_MOST = 600.0
FAILED_FILE = "rebuild-failed.json"  # in the index folder: every process of the node backs off


class _State:
    """What this process knows about its node's index."""

    def __init__(self):
        self.lock = threading.Lock()
        self.next_check = 0.0
        self.checked_root: Path | None = None  # the index folder next_check is about
        self.changed_here = False  # this process recorded a change: look before the next search
        self.background: threading.Thread | None = None
        # This process's own record of failed rebuilds, for when FAILED_FILE cannot be written
        # either: {index folder: (failures, retry at, error)}.
        self.failures: dict[Path, dict] = {}


_state = _State()


# --- Recording changes ---------------------------------------------------------------------


def _record(kind: str, ref: int | None) -> None:
    changes.record(kind, ref)
    _state.changed_here = True
    transaction.on_commit(_apply_after_commit, robust=True)


def schedule_update(pk: int) -> None:
    """An entry was saved or deleted: search follows once the transaction commits."""
    _record(SearchChange.Kind.ENTRY, pk)


def schedule_category_update(pk: int) -> None:
    """A category was renamed: its entries are re-indexed with the new name."""
    _record(SearchChange.Kind.CATEGORY, pk)


def schedule_synonyms_update() -> None:
    """The synonyms changed: nothing to re-index (they apply when a search runs), but cached
    answers must not outlive them."""
    _record(SearchChange.Kind.SYNONYMS, None)


def _apply_after_commit() -> None:
    apply_changes(wait=SAVE_LOCK_WAIT)


# --- Following the log -----------------------------------------------------------------------


def follow_changes() -> None:
    """Before a search: bring this node's index up to the change log, if it is time to look."""
    now = time.monotonic()
    with _state.lock:
        same_index = _state.checked_root == index.root()
        if same_index and not _state.changed_here and now < _state.next_check:
            return
        first_look = not same_index
        _state.checked_root = index.root()
        _state.changed_here = False
        _state.next_check = now + settings.KB_INDEX_CHECK_SECONDS
    if first_look:
        sweep_leftovers()  # what rebuilds that failed or were killed before this start left
    generation = index.current_generation()
    if generation is None or index.applied_mark(generation) is None:
        rebuild_soon()
        return
    if changes.latest_mark() != index.applied_mark(generation):
        apply_changes(wait=0)  # behind, or from another history (a restored backup)


def look_at_once() -> None:
    """Make the next follow_changes() look at the log, as the first search after the interval
    does (for measuring that look: bench/nodes.py)."""
    with _state.lock:
        _state.next_check = 0.0


def apply_changes(wait: float, background: bool = False) -> None:
    """Apply what the log holds beyond the index's last change. Waits up to `wait` seconds for
    the write lock; never raises."""
    try:
        _apply_changes(wait, background)
    except index.IndexLocked:
        _state.changed_here = True  # whoever holds the lock may not apply ours: look again
    except Exception:
        logger.exception("the search index could not follow the database; it will try again")
        _state.changed_here = True


def _apply_changes(wait: float, background: bool) -> None:
    with index.write_lock(wait):
        generation = index.current_generation()
        if generation is None:
            raise index.IndexLocked("no index yet")  # a rebuild is on its way
        applied = index.applied_mark(generation)
        batch = changes.after(applied.seq if applied else 0, MAX_CHANGES_TO_APPLY + 1)
        latest = changes.latest_mark()
        if applied is None or _has_gap(applied.seq, batch, latest.seq):
            needs_rebuild = True
        elif _other_history(applied, latest):
            logger.warning(
                "the search index holds change #%s of another history than the database's "
                "(a restored backup?): rebuilding it",
                applied.seq,
            )
            needs_rebuild = True
        else:
            needs_rebuild = False
            if not batch:
                return
            pks = _entries_affected(batch)
            if len(pks) > FOREGROUND_ENTRIES and not background:
                _in_background(lambda: apply_changes(wait=SWAP_LOCK_WAIT, background=True))
                return
            index.write_entries(generation, pks)
            index.set_applied_change(generation, changes.Mark(batch[-1].seq, batch[-1].token))
    if needs_rebuild:
        rebuild_soon()


def _has_gap(applied: int, batch: list[SearchChange], latest: int) -> bool:
    """Whether the log lacks changes the index needs (pruned), holds too many to apply, or is
    behind the index: the database was restored from a backup taken before changes the index
    holds, and the numbers it hands out next would look applied already."""
    if applied > latest or len(batch) > MAX_CHANGES_TO_APPLY:
        return True
    if batch:
        return batch[0].seq != applied + 1
    return latest > applied


def _other_history(applied: changes.Mark, latest: changes.Mark) -> bool:
    """Whether the index's last change is not the database's change of that number: the
    database was restored from a backup, and handed its numbers out again."""
    if applied.seq == latest.seq:
        return applied.token != latest.token
    if applied.seq == 0:
        return False
    logged = changes.token_of(applied.seq)  # None once pruned: nothing left to tell by
    return logged is not None and logged != applied.token


def _entries_affected(batch: Iterable[SearchChange]) -> set[int]:
    pks = {c.ref for c in batch if c.kind == SearchChange.Kind.ENTRY and c.ref is not None}
    categories = {c.ref for c in batch if c.kind == SearchChange.Kind.CATEGORY}
    if categories:
        pks |= set(Entry.objects.filter(category__in=categories).values_list("pk", flat=True))
    return pks


def update_entries(pks: Iterable[int]) -> None:
    """Re-index these entries now, from the database (for tools and tests; saves go through
    the change log)."""
    generation = index.current_generation()
    if generation is None:
        rebuild()
        return
    with index.write_lock(SAVE_LOCK_WAIT):
        index.write_entries(generation, pks)


# --- Rebuilding -------------------------------------------------------------------------------


PROGRESS_FILE = "rebuild-progress.json"  # in the index folder, for /healthz on every worker


def rebuild(wait: float = 600.0, progress=None, processes: int = 1) -> Path:
    """Build a fresh generation from the database, swap it in, and apply what changed while it
    was built. Waits up to `wait` seconds for another rebuild of this node to finish.
    `progress(stage, done, total)` is told how far it is (kb.search.index.build_generation);
    every process of the node sees it too, in status(). `processes` above 1 shares the
    writing between that many forked processes: for single-threaded callers alone (the
    rebuild_index command), never a web worker."""
    with index.rebuild_lock(wait):
        _sweep(index.sweep_leftovers())
        started = changes.latest_mark()
        shown = _ProgressFile(progress)
        try:
            generation = index.build_generation(started, shown, processes)
            with index.write_lock(SWAP_LOCK_WAIT):
                index.swap_in(generation)
        finally:
            shown.remove()
    _forget_failures()  # whoever rebuilt (rebuild_index too), the node need not back off
    logger.info("search index rebuilt in %s", generation)
    apply_changes(wait=SAVE_LOCK_WAIT)
    return generation


class _ProgressFile:
    """A rebuild's progress, written (at most once a second) where every process of the node
    can read it, and passed on to the caller's own report."""

    def __init__(self, report=None):
        self.report = report
        self.path = index.root() / PROGRESS_FILE
        self.started = time.time()
        self.written = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.time()
        if now - self.written >= 1.0 or stage != "entries" or done in (0, total):
            self.written = now
            state = {"stage": stage, "done": done, "total": total, "started": self.started}
            temporary = self.path.with_name(f".{PROGRESS_FILE}-{os.getpid()}")
            try:
                temporary.write_text(json.dumps(state))
                os.replace(temporary, self.path)
            except OSError:
                pass  # progress is worth a line in /healthz, never a failed rebuild
        if self.report is not None:
            self.report(stage, done, total)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def rebuild_progress() -> dict | None:
    """How far this node's running rebuild is, or None when none is running."""
    try:
        state = json.loads((index.root() / PROGRESS_FILE).read_text())
    except (OSError, ValueError):
        return None
    try:  # a rebuild that died leaves its file behind, but not its lock
        with index.rebuild_lock(0):
            (index.root() / PROGRESS_FILE).unlink(missing_ok=True)
            return None
    except index.IndexLocked:
        return state


def sweep_leftovers() -> None:
    """Remove the generations failed or killed rebuilds left, unless a rebuild is running."""
    try:
        with index.rebuild_lock(0):
            _sweep(index.sweep_leftovers())
    except index.IndexLocked:
        pass
    except OSError:
        logger.exception("the search index folder could not be swept")


def _sweep(removed: list[Path]) -> None:
    if removed:
        names = ", ".join(p.name for p in removed)
        logger.warning("removed what unfinished search index rebuilds left: %s", names)


def rebuild_failures() -> dict | None:
    """Why this node's rebuilds fail and when it tries again, or None when they do not."""
    try:
        failed = json.loads((index.root() / FAILED_FILE).read_text())
    except (OSError, ValueError):
        failed = None
    with _state.lock:
        own = _state.failures.get(index.root())
    if own and (failed is None or own["failures"] > failed.get("failures", 0)):
        failed = own
    return failed


def _note_failure(error: BaseException) -> dict:
    previous = rebuild_failures() or {}
    failures = previous.get("failures", 0) + 1
    delay = min(settings.KB_INDEX_RETRY_SECONDS * 2 ** (failures - 1), RETRY_REBUILD_AT_MOST)
    failed = {
        "failures": failures,
        "error": str(error) or type(error).__name__,
        "retry_at": time.time() + delay,
    }
    path = index.root() / FAILED_FILE
    try:
        temporary = path.with_name(f".{FAILED_FILE}-{os.getpid()}")
        temporary.write_text(json.dumps(failed))
        os.replace(temporary, path)
    except OSError:
        with _state.lock:  # this process remembers it, at least
            _state.failures[index.root()] = failed
    else:
        # The file speaks for every process, and another's successful rebuild deletes it: a
        # record kept here too would outlive that success in this process's /healthz.
        with _state.lock:
            _state.failures.pop(index.root(), None)
    return {**failed, "delay": delay}


def _forget_failures() -> None:
    with _state.lock:
        _state.failures.pop(index.root(), None)
    (index.root() / FAILED_FILE).unlink(missing_ok=True)


def rebuild_soon() -> None:
    """Rebuild without holding up a request for long: at once when the site is small, else in
    a background thread (searches answer from the database meanwhile, or from the index the
    node has). Not again and again when it keeps failing (a full disk): each failure doubles
    the wait before the next attempt, for every process of the node."""
    failed = rebuild_failures()
    if failed and time.time() < failed.get("retry_at", 0):
        return
    if Entry.objects.published().count() <= FOREGROUND_REBUILD_ENTRIES:
        _rebuild_or_note_failure(wait=SAVE_LOCK_WAIT)
    else:
        _in_background(lambda: _rebuild_or_note_failure(wait=0))


def _rebuild_or_note_failure(wait: float) -> None:
    try:
        rebuild(wait=wait)
    except index.IndexLocked:
        pass  # another process of this node is rebuilding
    except Exception as error:
        failed = _note_failure(error)
        serving = (
            "search answers from the index this node has, which lacks changes"
            if index.current_generation() is not None
            else "search answers from the database"
        )
        logger.exception(
            "the search index could not be rebuilt (attempt %s; its unfinished generation was "
            "removed); %s; next attempt in %.0f s",
            failed["failures"],
            serving,
            failed["delay"],
        )


def merge_soon() -> None:
    """Merge the current generation's small segments in the background thread, unless it is
    busy or another process holds the write lock (the next search that sees too many segments
    asks again)."""
    _in_background(_merge_small_segments)


def _merge_small_segments() -> None:
    try:
        with index.write_lock(0):
            generation = index.current_generation()
            if generation is not None:
                index.merge_small_segments(generation)
    except index.IndexLocked:
        pass
    except Exception:
        logger.exception("the search index's segments could not be merged; it will try again")


def _in_background(work: Callable[[], None]) -> None:
    """Run `work` in this process's one background thread, unless it is busy already."""
    with _state.lock:
        if _state.background is not None and _state.background.is_alive():
            return

        def run() -> None:
            try:
                work()
            finally:
                connection.close()  # the thread's own database connection

        _state.background = threading.Thread(target=run, name="search-index", daemon=True)
        _state.background.start()


def wait_for_background(timeout: float | None = 60.0, progress=None) -> None:
    """For commands and tests: let a background rebuild or update finish (`timeout` None: however
    long it takes), telling `progress(stage, done, total)` how far a rebuild is meanwhile."""
    thread = _state.background
    deadline = None if timeout is None else time.monotonic() + timeout
    while thread is not None and thread.is_alive():
        if deadline is not None and time.monotonic() >= deadline:
            return
        thread.join(1.0 if deadline is None else min(1.0, deadline - time.monotonic()))
        if progress is not None and (state := rebuild_progress()) is not None:
            progress(state["stage"], state["done"], state["total"])


# --- Status, for /healthz -----------------------------------------------------------------


def status() -> dict:
    """Whether this node's index has every change of the log."""
    generation = index.current_generation()
    latest = changes.latest_mark()
    applied = index.applied_mark(generation) if generation else None
    return {
        "exists": generation is not None,
        "applied_change": applied.seq if applied else None,
        "latest_change": latest.seq,
        # Ahead of the log is as wrong as behind it, and so is the same number in another
        # history (a restored backup).
        "current": applied == latest,
        "rebuild": rebuild_progress(),
        "rebuild_failed": rebuild_failures(),
    }
