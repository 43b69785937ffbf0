"""Ranking from the posting arrays kept beside each index segment (kb.search.postings): the
candidates, every term scored over every entry that has it, and the full query on those, with
the scores Whoosh itself gives; the arrays surviving a restart, a rebuild and another node's
change; and the right entry first among thousands for a query of common words."""

import os

import numpy as np
import pytest
from whoosh.query import Or, Term

from kb import search
from kb.models import Entry
from kb.search import changes, index, postings, query, ranking, sync
from kb.search.analysis import analyze
from kb.search.models import SearchChange

QUERIES = (
    "refresh token invalid",
    "procore api request",  # terms most entries have: no longer skipped
    "429 too many requests cors webhook company id",
)


def candidate_scores(text: str) -> dict[int, float]:
    """The candidate stage's score of every entry that has a term of the query."""
    with index.searcher_cache.searcher_for_request() as searcher:
        lookups = query.candidate_lookups(analyze(text), [])
        total = postings.scores(searcher, index.scoring_leaves(searcher), lookups, index.WEIGHTING)
    return {int(docnum): float(total[docnum]) for docnum in np.flatnonzero(total)}


def whoosh_scores(text: str) -> dict[int, float]:
    """Whoosh's own scores for the same lookups: an OR of term queries, every posting read
    through its matchers."""
    with index.searcher_cache.searcher_for_request() as searcher:
        lookups = query.candidate_lookups(analyze(text), [])
        terms = Or([Term(field, term, boost=boost) for field, term, boost in lookups])
        found = searcher.search(terms, limit=None, optimize=False)
        return {hit.docnum: hit.score for hit in found}


def postings_files(generation) -> set[str]:
    return {path.name for path in generation.glob(f"*{postings.EXTENSION}")}


def segment_names() -> set[str]:
    with index.searcher_cache.searcher_for_request() as searcher:
        return {
            sub.reader().segment().make_filename(postings.EXTENSION)
            for sub, _ in searcher.leaf_searchers()
        }


def forget_this_process() -> None:
    """As a restarted worker: nothing of the index kept in memory."""
    index.searcher_cache.close()


@pytest.mark.parametrize("text", QUERIES)
def test_it_scores_every_entry_with_a_term_as_whoosh_does(indexed_faq, text):
    ours, whoosh = candidate_scores(text), whoosh_scores(text)
    assert len(whoosh) > 5
    assert ours.keys() == whoosh.keys()
    for docnum, score in whoosh.items():
        assert ours[docnum] == pytest.approx(score, rel=1e-5)


def test_it_picks_the_same_top_entries_as_whoosh(indexed_faq):
    text = "refresh token invalid grant expired"
    whoosh = sorted(whoosh_scores(text).items(), key=lambda pair: (-pair[1], pair[0]))
    with index.searcher_cache.searcher_for_request() as searcher:
        lookups = query.candidate_lookups(analyze(text), [])
        found = ranking.candidates(searcher, index.scoring_leaves(searcher), lookups, limit=10)
    assert [docnum for _, docnum in found] == [docnum for docnum, _ in whoosh[:10]]


def test_it_scores_as_whoosh_does_over_several_segments_with_deleted_entries(
    indexed_faq, django_capture_on_commit_callbacks
):
    for entry in Entry.objects.published().order_by("pk")[:3]:
        entry.symptoms += "\nrequest refused by the api"
        with django_capture_on_commit_callbacks(execute=True):
            entry.save()  # a segment of its own; its old document deleted in the first
    with index.searcher_cache.searcher_for_request() as searcher:
        assert len(searcher.leaf_searchers()) == 4
        assert searcher.doc_count_all() > searcher.doc_count()
    for text in QUERIES:
        ours, whoosh = candidate_scores(text), whoosh_scores(text)
        assert ours.keys() == whoosh.keys()
        assert [ours[d] for d in whoosh] == pytest.approx(list(whoosh.values()), rel=1e-5)


def whoosh_full_scores(parts) -> dict[int, float]:
    with index.searcher_cache.searcher_for_request() as searcher:
        # optimize=False: Whoosh's coordination (CoordMatcher) counts its parts again when
        # its tree is pruned on the way, which would score the last documents differently.
        found = searcher.search(query.whoosh_query(parts), limit=None, optimize=False)
        return {hit.docnum: hit.score for hit in found}


def our_full_scores(parts) -> dict[int, float]:
    with index.searcher_cache.searcher_for_request() as searcher:
        everything = list(range(searcher.doc_count_all()))
        scored = ranking.score_parts(searcher, index.scoring_leaves(searcher), parts, everything)
    return {docnum: score for score, docnum in scored}


@pytest.mark.parametrize(
    ("text", "field"), [("refresh token invalid", "answer"), ("access token expired", "symptoms")]
)
def test_the_full_query_scores_terms_as_whoosh_does(indexed_faq, text, field):
    with index.searcher_cache.searcher_for_request() as searcher:
        # Whoosh leaves a term the field lacks out of its coordination's count of parts.
        terms = [t for t in analyze(text) if searcher.reader().doc_frequency(field, t)]
    parts = [[query.Alternative(field, (term,), 2.0)] for term in terms]
    assert len(parts) >= 2
    ours, whoosh = our_full_scores(parts), whoosh_full_scores(parts)
    assert len(whoosh) > 3
    assert ours.keys() == whoosh.keys()
    # Scores compared where Whoosh's coordination counts every part: in the entries with all
    # the terms. Once one term's postings are read to the end, it counts the parts left.
    with_all = [d for d in whoosh if all(our_full_scores([part]).get(d) for part in parts)]
    assert with_all
    assert [ours[d] for d in with_all] == pytest.approx([whoosh[d] for d in with_all], rel=1e-5)


@pytest.mark.parametrize(
    ("words", "field", "slop"),
    [(("refresh", "token"), "answer", 1), (("rate", "limit"), "symptoms", 1)],
)
def test_a_phrase_matches_and_scores_as_whoosh_does(indexed_faq, words, field, slop):
    phrase = [[query.Alternative(field, words, 0.5, slop)]]
    ours, whoosh = our_full_scores(phrase), whoosh_full_scores(phrase)
    assert whoosh
    assert ours.keys() == whoosh.keys()
    assert [ours[d] for d in whoosh] == pytest.approx(list(whoosh.values()), rel=1e-5)
    # The same words the other way round are another phrase.
    backwards = [[query.Alternative(field, words[::-1], 0.5, slop)]]
    assert our_full_scores(backwards).keys() == whoosh_full_scores(backwards).keys()
    assert our_full_scores(backwards).keys() != ours.keys()


def test_a_term_scores_by_its_best_field(indexed_faq):
    by_field = {
        field: our_full_scores([[query.Alternative(field, ("token",), 1.0)]])
        for field in query.SEARCH_FIELDS
    }
    best = our_full_scores([[query.Alternative(f, ("token",), 1.0) for f in query.SEARCH_FIELDS]])
    assert len(best) > 3
    for docnum, score in best.items():
        assert score == pytest.approx(max(s.get(docnum, 0.0) for s in by_field.values()))


def test_the_best_are_taken_highest_first_and_ties_go_to_the_earlier_entry():
    total = np.array([0.0, 2.0, 1.0, 2.0, 0.0, 3.0, 2.0])
    assert postings.best(total, 3) == [(3.0, 5), (2.0, 1), (2.0, 3)]
    assert postings.best(total, 10) == [(3.0, 5), (2.0, 1), (2.0, 3), (2.0, 6), (1.0, 2)]
    assert postings.best(np.zeros(4), 3) == []


def test_a_rebuild_writes_the_arrays_of_its_generation_before_any_search(indexed_faq):
    generation = search.rebuild()
    assert postings_files(generation) == segment_names()


def test_a_restarted_process_reads_the_arrays_written_before_and_scores_the_same(indexed_faq):
    before = candidate_scores(QUERIES[0])
    generation = index.current_generation()
    [path] = [generation / name for name in postings_files(generation)]
    written = path.stat().st_mtime_ns
    forget_this_process()
    assert candidate_scores(QUERIES[0]) == before
    assert path.stat().st_mtime_ns == written  # read, not written again


def test_arrays_that_cannot_be_read_are_written_again(indexed_faq):
    before = candidate_scores(QUERIES[2])
    generation = index.current_generation()
    [path] = [generation / name for name in postings_files(generation)]
    path.write_bytes(path.read_bytes()[:200])  # cut short, as by a full disk
    forget_this_process()
    assert candidate_scores(QUERIES[2]) == before
    assert search.search("invalid_grant").hits[0].slug == "refresh-token-invalid"


def test_another_nodes_change_gets_arrays_of_its_own_and_is_found(indexed_faq):
    entry = Entry.objects.get(slug="what-is-json")
    # As another node saves: the row and the change log, and nothing of this node's index.
    Entry.objects.filter(pk=entry.pk).update(symptoms=entry.symptoms + "\nzqxothernode")
    changes.record(SearchChange.Kind.ENTRY, entry.pk)
    sync.look_at_once()
    assert [hit.slug for hit in search.search("zqxothernode").hits] == ["what-is-json"]
    assert postings_files(index.current_generation()) == segment_names()
    assert len(segment_names()) == 2


def test_a_merge_leaves_no_arrays_of_the_segments_it_removed(
    indexed_faq, django_capture_on_commit_callbacks
):
    entries = list(Entry.objects.published().order_by("pk")[: index.MERGE_AT_SEGMENTS + 1])
    for number, entry in enumerate(entries):
        entry.symptoms += f"\nzqxmerged{number}"
        with django_capture_on_commit_callbacks(execute=True):
            entry.save()
    search.search("rate limit")  # writes the arrays of the new segments; asks for a merge
    sync.wait_for_background()
    generation = index.current_generation()
    assert [hit.slug for hit in search.search("zqxmerged4").hits] == [entries[4].slug]
    # Whoosh's cleanup at the merge's commit removed the files of the segments it merged.
    assert postings_files(generation) == segment_names()
    assert not [name for name in os.listdir(generation) if name.startswith(".")]


AT_SIZE = 2000  # entries: enough for hundreds of synthetic ones about each real question


@pytest.fixture
def faq_at_size(faq):
    """The real FAQ among the benchmark's synthetic entries, indexed."""
    from bench.corpus import load_corpus

    load_corpus(AT_SIZE)
    search.rebuild()
    return faq


def test_the_right_entry_is_found_first_at_size_for_a_query_of_common_terms(faq_at_size):
    with index.searcher_cache.searcher_for_request() as searcher:
        reader = searcher.reader()
        share = reader.doc_frequency("answer", "request") / searcher.doc_count()
    assert share > 0.1  # a common word: the rule that skipped such words would have
    # Hundreds of synthetic entries ask about a 429 too, in longer answers full of these words.
    assert search.search("429 Too Many Requests").hits[0].slug == "rate-limit-429"
    assert search.search("how long is an access token valid").hits[0].slug == (
        "access-token-lifetime"
    )


def test_posting_numbers_take_two_bytes_only_where_every_one_fits():
    small = postings._smallest(np.array([0, 65535], np.int32), np.uint16, np.int32)
    assert small.dtype == np.uint16
    assert postings._smallest(np.array([1, 65536], np.int32), np.uint16, np.int32).tolist() == [
        1,
        65536,
    ]
    weights = postings._smallest(np.array([1.0, 2.5], np.float32), np.uint16, np.float32)
    assert weights.tolist() == [1.0, 2.5]


def test_a_segment_s_document_numbers_and_frequencies_are_stored_in_two_bytes(indexed_faq):
    with index.searcher_cache.searcher_for_request() as searcher:
        stored = index.scoring_leaves(searcher)[0].postings._arrays
    assert (stored["docs"].dtype, stored["freqs"].dtype) == (np.uint16, np.uint16)
