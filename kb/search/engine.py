"""The search itself: from what a developer typed or pasted to ranked published entries.

Falls back to a plain database match when the index cannot be used or rebuilt, so a
developer always gets answers.
"""

import logging
from dataclasses import replace

from django.db.models import Q

from kb.content.models import Entry
from kb.search import answered, cache, index, query, ranking, snippets, spelling, sync
from kb.search.analysis import analyze, split_paste
from kb.search.results import Hit, SearchResults

logger = logging.getLogger(__name__)

DATABASE_FALLBACK_WORDS = 8
DATABASE_FALLBACK_ROWS = 500


def search(text: str, limit: int = 10) -> SearchResults:
    """Ranked published entries for a query, a pasted message or a pasted response."""
    text = (text or "").strip()[: query.MAX_INPUT_CHARS]
    results = SearchResults(query=text)
    if not text:
        return results
    sync.follow_changes()
    if index.current_generation() is None:
        sync.rebuild_soon()  # at once for a small site, else in the background
    broken = index.current_generation()
    if broken is None:
        return _database_search(text, limit)
    try:
        return _search(text, limit, results)
    except Exception:
        logger.exception("search failed; rebuilding the index from the database")
    index.searcher_cache.close()
    sync.rebuild_soon()
    if index.current_generation() not in (None, broken):  # rebuilt at once: a small site
        try:
            return _search(text, limit, SearchResults(query=text))
        except Exception:
            logger.exception("search failed on the rebuilt index too")
    return _database_search(text, limit)


def _search(text: str, limit: int, results: SearchResults) -> SearchResults:
    with index.searcher_cache.searcher_for_request() as searcher:
        if len(searcher.leaf_searchers()) > index.MERGE_AT_SEGMENTS:
            sync.merge_soon()
        generation = index.generation_key(searcher)
        kept = cache.searches.answer(generation, (text, limit))
        if kept is not None and _still_published(kept.hits):
            return _own_copy(kept)
        results = _ranked(searcher, generation, text, limit, results)
        cache.searches.keep(generation, (text, limit), results)
        return _own_copy(results)


def _own_copy(results: SearchResults) -> SearchResults:
    """The caller's own lists, so that changing them does not change what the cache keeps."""
    return replace(results, hits=list(results.hits), unknown_words=list(results.unknown_words))


def _ranked(searcher, generation, text: str, limit: int, results: SearchResults) -> SearchResults:
    leaves = index.scoring_leaves(searcher)  # first: the term counts below read them
    message, context = split_paste(text)
    analyzed = analyze(message)
    typed_terms = terms = query.useful_terms(searcher, analyzed)
    groups, vocabulary = cache.searches.value(generation, "synonyms", query.synonym_tables)
    checked = spelling.check(searcher, message, vocabulary)
    corrections = checked.corrections
    understood = message
    if corrections:
        understood = spelling.apply_corrections(message, corrections)
        analyzed = analyze(understood)
        terms = list(dict.fromkeys(terms + query.useful_terms(searcher, analyzed)))
    context_terms = [t for t in query.useful_terms(searcher, analyze(context)) if t not in terms]
    synonyms = query.synonym_groups(analyzed, groups)
    parts = query.build_parts(terms, query.bigrams(analyzed, set(terms)), synonyms, context_terms)
    lookups = query.candidate_lookups(terms, synonyms, context_terms)
    ranked = ranking.rank(searcher, leaves, lookups, parts) if parts else []
    if corrections:
        results.suggestion = " ".join(understood.split())
        results.corrected = not typed_terms
    if not ranked:
        return results
    results.unknown_words = checked.unknown
    # Marked in snippets: the words typed (or corrected), never synonyms or URL context.
    marked = snippets.marked_terms(understood, set(terms))
    weights = {term: searcher.idf("answer", term) for term in marked}
    relevant = query.relevant(ranked)
    shown = [
        (score, int(searcher.stored_fields(docnum)["pk"])) for score, docnum in relevant[:limit]
    ]
    entries = _published_entries(shown)
    results.hits = _hits(shown, entries, marked, weights)
    # Entries the database no longer publishes are dropped from the count as well.
    results.total = len(relevant) - (len(shown) - len(results.hits))
    if first := next((entries[pk] for _, pk in shown if pk in entries), None):
        results.answered = answered.answers(searcher, understood, first, groups, vocabulary)
    return results


def _still_published(hits: list[Hit]) -> bool:
    """Whether every entry of a kept answer is still published. This node's index (and so the
    cache key) learns of another node's changes only when it next looks at the change log;
    the database has the last word at once, as for a fresh answer."""
    slugs = {hit.slug for hit in hits}
    published = Entry.objects.only("slug", "status").published_in_bulk(slugs, field_name="slug")
    return len(published) == len(slugs)


def _published_entries(shown: list[tuple[float, int]]) -> dict[int, Entry]:
    # The database has the last word: an entry unpublished a moment ago is never shown.
    return Entry.objects.select_related("category").published_in_bulk(pk for _, pk in shown)


def _hits(
    shown: list[tuple[float, int]], entries: dict[int, Entry], marked: set[str], weights
) -> list[Hit]:
    """(score, entry pk) pairs, best first, as hits with snippets."""
    hits = []
    for score, pk in shown:
        entry = entries.get(pk)
        if entry is None:
            continue
        snippet = snippets.snippet(entry.answer_text, marked, weights)
        hits.append(Hit.for_entry(entry, score, snippet))
    return hits


def _database_search(text: str, limit: int) -> SearchResults:
    """A plain word match over the published questions and symptoms, for when the index is
    unusable or being built: slower and cruder, but the developer still gets answers."""
    words = list(dict.fromkeys(analyze(text, plain=True)))[: query.MAX_QUERY_TERMS]
    # The database narrows by the longest (most telling) words; Python scores what it finds.
    telling = sorted(words, key=len, reverse=True)[:DATABASE_FALLBACK_WORDS]
    matches = Q()
    for word in telling:
        matches |= Q(question__icontains=word) | Q(symptoms__icontains=word)
    candidates = (
        index.published_entries().filter(matches)[:DATABASE_FALLBACK_ROWS] if telling else []
    )
    scored = []
    for entry in candidates:
        haystack = f"{entry.question} {entry.symptoms}".lower()
        score = sum(1 for word in words if word in haystack)
        if score:
            scored.append((score, entry))
    scored.sort(key=lambda pair: -pair[0])
    marked = snippets.marked_terms(text, set(analyze(text)))
    hits = [
        Hit.for_entry(e, score, snippets.snippet(e.answer_text, marked))
        for score, e in scored[:limit]
    ]
    return SearchResults(query=text, total=len(scored), hits=hits)
