"""Search that scales: two-stage ranking, the cache of repeated searches, and saves that reach
search at once whatever a rebuild is doing. (Speed itself is measured by `make bench`.)"""

import fcntl

from django.conf import settings

from kb import search
from kb.models import Entry
from kb.search import cache, changes, index, query, ranking, sync
from kb.search.analysis import analyze
from tests.factories import make_entry


def kept_answer(text: str, limit: int = 10):
    """What the cache of repeated searches holds for this query under the current index."""
    with index.searcher_cache.searcher_for_request() as searcher:
        return cache.searches.answer(index.generation_key(searcher), (text, limit))


def test_it_scores_only_the_candidates_it_is_given(indexed_faq):
    with index.searcher_cache.searcher_for_request() as searcher:
        terms = analyze("refresh token invalid")
        parts = query.build_parts(terms, query.bigrams(terms, set(terms)), [])
        leaves = index.scoring_leaves(searcher)
        everything = ranking.score_parts(
            searcher, leaves, parts, list(range(searcher.doc_count_all()))
        )
        matching = sorted(docnum for _, docnum in everything)
        chosen = matching[::3]
        scored = ranking.score_parts(searcher, leaves, parts, chosen)
        # Given every document, it finds the documents a search over the whole index finds.
        whole_scan = {hit.docnum for hit in searcher.search(query.whoosh_query(parts), limit=None)}
    assert len(matching) > 3
    assert sorted(docnum for _, docnum in scored) == chosen
    assert set(matching) == whole_scan


def test_a_document_that_matches_none_of_the_query_is_never_a_result(indexed_faq):
    with index.searcher_cache.searcher_for_request() as searcher:
        terms = analyze("webhooks")
        parts = query.build_parts(terms, [], [])
        lookups = query.candidate_lookups(terms, [])
        ranked = ranking.rank(searcher, index.scoring_leaves(searcher), lookups, parts)
        pks = {int(searcher.stored_fields(docnum)["pk"]) for _, docnum in ranked}
    about_webhooks = Entry.objects.filter(pk__in=pks)
    assert pks and all(
        "webhook" in f"{e.question} {e.symptoms} {e.answer_text} {e.category.name}".lower()
        for e in about_webhooks
    )


def test_a_repeated_search_is_answered_from_the_cache(indexed_faq):
    first = search.search("invalid_grant")
    assert kept_answer("invalid_grant") is not None
    again = search.search("invalid_grant")
    assert [h.slug for h in again.hits] == [h.slug for h in first.hits]
    assert again.hits[0].slug == "refresh-token-invalid"
    # Each caller gets its own list: changing one answer does not change what is kept.
    again.hits.clear()
    assert search.search("invalid_grant").hits[0].slug == "refresh-token-invalid"


def test_a_saved_entry_is_found_at_once_though_the_query_was_cached(indexed_faq):
    assert search.search("zqxcachedmarker").total == 0
    entry = Entry.objects.get(slug="what-is-json")
    entry.symptoms += "\nzqxcachedmarker"
    entry.save()
    assert [h.slug for h in search.search("zqxcachedmarker").hits] == ["what-is-json"]


def test_an_entry_unpublished_behind_the_index_is_not_served_from_the_cache(indexed_faq):
    assert "rate-limit-429" in [h.slug for h in search.search("429").hits]
    # As another node's change looks before this node's index has applied it.
    Entry.objects.filter(slug="rate-limit-429").update(status=Entry.Status.DRAFT)
    assert "rate-limit-429" not in [h.slug for h in search.search("429").hits]


def test_a_rebuild_drops_what_was_kept_for_the_old_index(indexed_faq):
    search.search("invalid_grant")
    search.rebuild()
    assert kept_answer("invalid_grant") is None


def test_the_cache_keeps_the_most_recently_asked_answers_only():
    kept = cache.GenerationCache(size=2)
    for question in ("a", "b"):
        kept.keep("gen-1", question, question.upper())
    assert kept.answer("gen-1", "a") == "A"  # "a" is now the most recent
    kept.keep("gen-1", "c", "C")
    assert (kept.answer("gen-1", "a"), kept.answer("gen-1", "b")) == ("A", None)
    assert kept.answer("gen-2", "a") is None  # another generation: nothing kept
    assert kept.answer("gen-1", "c") is None  # and the old one's answers are gone


def test_a_save_during_a_rebuild_reaches_search_at_once_and_survives_the_swap(transactional_db):
    from kb.faq import load_faq

    load_faq(settings.CONTENT_DIR)
    search.rebuild()
    # A rebuild of this node is under way: it holds the rebuild lock, and has read the
    # database (its generation is built) before the save below.
    with open(index.root() / "rebuild.lock", "a+") as rebuild_lock:
        fcntl.flock(rebuild_lock, fcntl.LOCK_EX)
        snapshot = index.build_generation(applied=changes.latest_mark())
        entry = make_entry(slug="saved-mid-rebuild", question="Zqxmidrebuild question?")
        # Committed: applied to the live generation at once, without waiting for the rebuild.
        assert [h.slug for h in search.search("zqxmidrebuild").hits] == [entry.slug]
        # The rebuild ends as sync.rebuild() ends: swap, then apply what changed meanwhile.
        with index.write_lock(sync.SWAP_LOCK_WAIT):
            index.swap_in(snapshot)
        sync.apply_changes(wait=sync.SAVE_LOCK_WAIT)
        fcntl.flock(rebuild_lock, fcntl.LOCK_UN)
    assert index.current_generation() == snapshot
    assert [h.slug for h in search.search("zqxmidrebuild").hits] == [entry.slug]


def segments() -> int:
    with index.searcher_cache.searcher_for_request() as searcher:
        return len(searcher.leaf_searchers())


def save_with_marker(entries, word: str, on_commit) -> list[str]:
    """Save each entry with `word<n>` added to its symptoms, each in its own commit as the
    admin does; their slugs, in order."""
    for number, entry in enumerate(entries):
        entry.symptoms += f"\n{word}{number}"
        with on_commit(execute=True):
            entry.save()
    return [entry.slug for entry in entries]


def test_a_save_adds_a_segment_and_merges_none_on_its_way(
    indexed_faq, django_capture_on_commit_callbacks
):
    before = segments()
    entries = list(Entry.objects.published().order_by("pk")[: index.MERGE_AT_SEGMENTS])
    slugs = save_with_marker(entries, "zqxsegment", django_capture_on_commit_callbacks)
    # Whoosh's own merge at the end of a commit would have merged some of these by now.
    assert segments() == before + len(entries)
    assert [h.slug for h in search.search("zqxsegment3").hits] == [slugs[3]]


def test_many_small_segments_are_merged_in_the_background_and_nothing_is_lost(
    indexed_faq, django_capture_on_commit_callbacks
):
    entries = list(Entry.objects.published().order_by("pk")[: index.MERGE_AT_SEGMENTS + 1])
    slugs = save_with_marker(entries, "zqxmerge", django_capture_on_commit_callbacks)
    assert segments() > index.MERGE_AT_SEGMENTS
    search.search("rate limit")  # this search sees too many segments: a merge is asked for
    sync.wait_for_background()
    assert segments() <= index.MERGE_AT_SEGMENTS
    for number, slug in enumerate(slugs):
        assert [h.slug for h in search.search(f"zqxmerge{number}").hits] == [slug]
    with index.searcher_cache.searcher_for_request() as searcher:
        entries = [fields for fields in searcher.all_stored_fields() if "pk" in fields]
        # Beside the entries, the rebuild's vocabulary (kb.search.building) came through too.
        assert searcher.doc_count() == len(entries) + 1
        vocabulary = searcher.reader().frequency("spelling", "webhooks")
    assert len(entries) == Entry.objects.published().count()
    assert vocabulary >= 1
    assert search.search("webhoks").suggestion == "webhooks"


def test_a_merge_never_waits_for_the_write_lock_and_is_asked_for_again(
    indexed_faq, django_capture_on_commit_callbacks
):
    entries = list(Entry.objects.published().order_by("pk")[: index.MERGE_AT_SEGMENTS + 1])
    save_with_marker(entries, "zqxlocked", django_capture_on_commit_callbacks)
    with index.write_lock(0):  # another process of this node is writing
        search.search("rate limit")
        sync.wait_for_background(timeout=5)
        assert segments() > index.MERGE_AT_SEGMENTS
    search.search("token expired")
    sync.wait_for_background()
    assert segments() <= index.MERGE_AT_SEGMENTS
