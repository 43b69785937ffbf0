"""Symptom search: the one package that knows about Whoosh.

The rest of the project uses this small interface, so another engine could stand behind it:

    search(text, limit)       ranked published entries, with snippets and a did-you-mean
    schedule_update(entry_pk) log the entry's change; search follows once the transaction commits
    update_entries(pks)       re-index (or drop) entries from the database now
    rebuild()                 build a fresh index from the database and swap it in atomically
    index_state()             whether this node's index exists and has every change (/healthz)

Inside, one module per part, each importing only those listed before it:

    analysis    tokens, analyzers, what of a paste is worth reading
    results     Hit and SearchResults, what a search returns
    models      the change log: every change search must follow, in commit order
    changes     recording and reading the change log
    postings    each segment's posting lists as arrays on disk, scored with numpy
    building    how a rebuild writes: each segment's entries and vocabulary, in one process or
                several at once
    index       the index on disk: schema, generations, locks, writes, searchers
    sync        keeping this node's index following the change log, through any failure
    query       query building: the full query, and the lookups that pick candidates
    ranking     two-stage ranking: every term over every entry (postings) picks candidates,
                the full query ranks those alone
    cache       answers and synonym groups kept per process for the index's generation
    spelling    unknown words, and corrections when clearly better than none
    snippets    the sentence of a hit's answer that shows why it matched
    engine      the search itself, and its database fallback
    signals     keeps the index following the database
    views, urls the search page and the JSON API

May import kb.content (what is indexed), kb.web (redaction, throttle, origin) and, in its
views, kb.insights's search log and kb.tools's error codes (the lookup offered above the
results). Other packages import only this interface, never a module inside: the wiring
(management commands, the signals connected in kb/apps.py) is the exception.
"""

from kb.search.engine import search
from kb.search.results import Hit, SearchResults
from kb.search.sync import rebuild, schedule_update, update_entries
from kb.search.sync import status as index_state

__all__ = [
    "Hit",
    "SearchResults",
    "index_state",
    "rebuild",
    "schedule_update",
    "search",
    "update_entries",
]
