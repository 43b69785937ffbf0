"""Ranking in two stages, so that a search costs about the same whatever the index's size.

Scoring the full query (proximity phrases, a coordination bonus, synonym groups, each term's
best field) on every document that has any of its terms is what made search slow at size:
a tree of matchers moves through every such document, and a phrase reads the positions of
every document that has all its words. So:

1. Candidates: every term of the query in every field (kb.search.query.candidate_lookups),
   scored over every entry that has it from the segments' posting arrays (kb.search.postings),
   summed, cut to the best MAX_CANDIDATES. No budget and no skipped terms: however large the
   index, the right entry is never left out because its words are common.
2. Ranking: the full query (kb.search.query.build_parts) scored on those candidates alone,
   from the same arrays: each term's frequency in each candidate found by a binary search in
   its postings; only a phrase whose words a candidate has all reads that candidate's
   positions, through Whoosh. No matcher walks a posting list, so neither the index's size
   nor its number of segments makes a search read more.
"""

import numpy as np

from kb.search import postings
from kb.search.index import WEIGHTING
from kb.search.query import COORDINATION, MAX_CANDIDATES

Ranked = list[tuple[float, int]]  # (score, document number), best first


def candidates(searcher, leaves, lookups, limit: int = MAX_CANDIDATES) -> Ranked:
    """The best `limit` documents by the summed score of these (field, term, boost) lookups."""
    return postings.best(postings.scores(searcher, leaves, lookups, WEIGHTING), limit)


def rank(searcher, leaves, lookups, parts, limit: int = MAX_CANDIDATES) -> Ranked:
    """The best `limit` documents of the lookups, ordered by the full query's score."""
    found = sorted(docnum for _, docnum in candidates(searcher, leaves, lookups, limit))
    scored = score_parts(searcher, leaves, parts, found)
    # Ties go to the earlier document, as in Whoosh's own collector.
    return sorted(scored, key=lambda pair: (-pair[0], pair[1]))


def score_parts(searcher, leaves, parts, docnums: list[int]) -> Ranked:
    """The full query's score (kb.search.query.build_parts) for each of these documents that
    it matches: each part by its best alternative, the parts added up, with a coordination
    bonus for matching more of them. Terms are scored from the
    posting arrays; a phrase reads positions, through Whoosh, only in the candidates that
    have all its words."""
    scored = []
    for leaf in leaves:
        end = leaf.offset + leaf.doc_count
        docs = np.array([d - leaf.offset for d in docnums if leaf.offset <= d < end], np.int64)
        if not len(docs):
            continue
        total, matched = np.zeros(len(docs)), np.zeros(len(docs))  # score, parts matched
        term_scores = {}

        def term_score(field: str, word: str, leaf=leaf, docs=docs, term_scores=term_scores):
            if (field, word) not in term_scores:
                freqs = postings.frequencies(leaves, leaf, field, word, docs)
                lengths = leaf.lengths[field][docs]
                score = postings.bm25f(searcher, WEIGHTING, field, word, freqs, lengths)
                term_scores[field, word] = np.where(freqs > 0, score, 0.0)
            return term_scores[field, word]

        for part in parts:
            best = np.zeros(len(docs))
            for alternative in part:
                scores = [term_score(alternative.field, w) for w in alternative.words]
                present = np.logical_and.reduce([s > 0 for s in scores])
                if len(alternative.words) > 1 and present.any():
                    present &= _near(leaves, leaf, alternative, docs, present)
                score = np.where(present, alternative.boost * np.sum(scores, axis=0), 0.0)
                best = np.maximum(best, score)
            total += best
            matched += best > 0
        total = _coordinated(total, matched, len(parts))
        scored += [(float(total[i]), int(docs[i]) + leaf.offset) for i in np.flatnonzero(total > 0)]
    return scored


def _near(leaves, leaf, alternative, docs: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Which of these documents have the alternative's words in order, each at most its slop
    after the one before (Whoosh's Phrase: SpanNear2, ordered, at least one apart)."""
    having = [int(doc) for doc in docs[present]]
    found = [
        postings.positions(leaves, leaf, alternative.field, word, having)
        for word in alternative.words
    ]
    near = np.zeros(len(docs), dtype=bool)
    for number, doc in enumerate(docs):
        if not present[number]:
            continue
        spans = [(p, p) for p in found[0].get(int(doc), ())]
        for word_positions in found[1:]:
            after = word_positions.get(int(doc), ())
            slop = alternative.slop
            spans = [(start, p) for start, end in spans for p in after if 1 <= p - end <= slop]
        near[number] = bool(spans)
    return near


def _coordinated(total: np.ndarray, matched: np.ndarray, part_count: int) -> np.ndarray:
    """Whoosh's coordination bonus (CoordMatcher's SQR), counted in parts of the query: a
    little more for each more part matched, then scaled by (parts - 1) / parts. (Whoosh
    counts the term matchers of its tree, which a term's fields and a phrase's words
    multiply, and which vary from segment to segment: a part is a part here.)"""
    if part_count <= 1:
        return total
    bonus = (matched - 1) / (part_count - COORDINATION) ** 2
    scaled = (total + bonus) * ((part_count - 1) / part_count)
    return np.where(total > 0, scaled, 0.0)
