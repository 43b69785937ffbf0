"""Ranking in two stages, so that a search costs about the same whatever the index's size.

Scoring the full query (proximity phrases, a coordination bonus, synonym groups, each term's
best field) on every document that has any of its terms is what made search slow at size:
a tree of matchers moves through every such document, and a phrase reads the positions of
every document that has all its words. So:

1. Candidates: every term of the query in every field (kb.search.query.candidate_lookups),
   scored over every entry that has it from the segments' posting arrays (kb.search.postings),
   summed, cut to the best MAX_CANDIDATES. No budget and no skipped terms: however large the
   index, the right entry is never left out because its words are common.
2. Ranking: the full query scored on those candidates alone. Every posting list it reads is
   seen through CandidateMatcher, which jumps from one candidate to the next (`skip_to`): a
   phrase reads positions only in candidates, and no other document is ever scored.
"""

from bisect import bisect_left

from whoosh.matching import WrappingMatcher

from kb.search import postings
from kb.search.index import WEIGHTING
from kb.search.query import MAX_CANDIDATES

Ranked = list[tuple[float, int]]  # (score, document number), best first


def candidates(searcher, leaves, lookups, limit: int = MAX_CANDIDATES) -> Ranked:
    """The best `limit` documents by the summed score of these (field, term, boost) lookups."""
    return postings.best(postings.scores(searcher, leaves, lookups, WEIGHTING), limit)


def rank(searcher, leaves, lookups, full_query, limit: int = MAX_CANDIDATES) -> Ranked:
    """The best `limit` documents of the lookups, ordered by the full query's score."""
    found = sorted(docnum for _, docnum in candidates(searcher, leaves, lookups, limit))
    scored = rescore(searcher, full_query, found)
    # Ties go to the earlier document, as in Whoosh's own collector.
    return sorted(scored, key=lambda pair: (-pair[0], pair[1]))


def rescore(searcher, full_query, docnums: list[int]) -> Ranked:
    """The full query's score for each of these documents (ascending) that it matches."""
    context = searcher.context()
    scored = []
    for subsearcher, offset in searcher.leaf_searchers():
        end = offset + subsearcher.doc_count_all()
        inside = [docnum - offset for docnum in docnums if offset <= docnum < end]
        if not inside:
            continue
        matcher = full_query.matcher(_CandidateSearcher(subsearcher, inside), context)
        while matcher.is_active():
            scored.append((matcher.score(), matcher.id() + offset))
            matcher.next()
    return scored


class _CandidateSearcher:
    """A leaf searcher whose posting lists hold the candidates only; the rest is the searcher's
    own (statistics included, so scores are those of the whole index)."""

    def __init__(self, searcher, candidates: list[int]):
        self._searcher = searcher
        self._candidates = candidates

    def __getattr__(self, name):
        return getattr(self._searcher, name)

    def postings(self, fieldname, text, weighting=None, qf=1):
        matcher = self._searcher.postings(fieldname, text, weighting=weighting, qf=qf)
        return CandidateMatcher(matcher, self._candidates)


class CandidateMatcher(WrappingMatcher):
    """The child's matches that are in a sorted list of document numbers, reached by skipping
    straight from one to the next."""

    def __init__(self, child, candidates: list[int], boost: float = 1.0):
        super().__init__(child, boost)
        self._candidates = candidates
        self._done = False
        self._align()

    def _align(self) -> None:
        child, candidates = self.child, self._candidates
        while child.is_active():
            position = bisect_left(candidates, child.id())
            if position == len(candidates):
                self._done = True
                return
            if candidates[position] == child.id():
                return
            child.skip_to(candidates[position])

    def _replacement(self, newchild):
        return self.__class__(newchild, self._candidates, boost=self.boost)

    def copy(self):
        return self.__class__(self.child.copy(), self._candidates, boost=self.boost)

    def is_active(self) -> bool:
        return not self._done and self.child.is_active()

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def next(self):
        self.child.next()
        self._align()

    def skip_to(self, id):
        if self.is_active() and self.child.id() < id:
            self.child.skip_to(id)
            self._align()

    def supports_block_quality(self) -> bool:
        return False  # block bounds would count documents that are not candidates
