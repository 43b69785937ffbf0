"""Query building and ranking: which terms of the input count, and how a document scores.

Input is never handed to a query parser: it is analyzed like the documents, reduced to its
most useful terms and turned into a query of plain term lookups, with bonuses for terms found
together, for synonyms (kept by engineers in the admin) and for the question and symptoms.
"""

from dataclasses import dataclass

from whoosh.query import DisjunctionMax, Or, Phrase, Term

from kb.content.models import Synonym
from kb.search.analysis import analyze, word_terms
from kb.search.index import field_frequencies

# How much a match in each field counts. Symptoms are what developers paste, so they weigh
# almost as much as the question itself.
FIELD_BOOSTS = {"question": 3.0, "symptoms": 2.5, "category": 1.2, "answer": 1.0}
MAX_INPUT_CHARS = 4000  # a pasted response is cut here before analysis
MAX_QUERY_TERMS = 24  # and reduced to this many of its most useful terms
MAX_BIGRAMS = 12
MAX_CANDIDATES = 50  # hits scored per search, before the relevance cut
RELATIVE_CUTOFF = 0.12  # hits scoring under this share of the best one are not shown
PHRASE_FIELDS = ("question", "symptoms", "answer")
PROXIMITY_SLOP = 2  # "token ... working" still counts as together
BIGRAM_BOOST = 0.5
COORDINATION = 0.7  # how much matching more of the query's words adds (Whoosh's Or scale)
SYNONYM_BOOST = 0.6
CONTEXT_BOOST = 0.4  # terms found only in the URLs of a paste

SEARCH_FIELDS = tuple(FIELD_BOOSTS)


def analyzed_synonyms(groups) -> list[list[tuple[str, ...]]]:
    """These synonym groups (Synonym.objects.groups()), each phrase as its words as wholes
    (`invalid_grant` is one word, as the index holds it at one position, not "invalid_grant
    invalid grant", which no document has in a row)."""
    return [
        [tuple(whole for whole, _ in word_terms(phrase)) for phrase in group] for group in groups
    ]


def synonym_groups(terms: list[str], groups) -> list[list[tuple[str, ...]]]:
    """The synonym groups (analyzed_synonyms()) that the query touches, each as its phrases
    other than the ones the query already has."""
    found = []
    query = f" {' '.join(terms)} "
    for analyzed in groups:
        if any(phrase and f" {' '.join(phrase)} " in query for phrase in analyzed):
            others = [p for p in analyzed if p and f" {' '.join(p)} " not in query]
            if others:
                found.append(list(dict.fromkeys(others)))
    return found


def synonym_vocabulary(groups) -> frozenset[str]:
    """Every word of these synonym groups, as typed (unstemmed): words the search knows even
    when no answer uses them."""
    return frozenset(
        word for group in groups for phrase in group for word in analyze(phrase, plain=True)
    )


def synonym_tables() -> tuple[list[list[tuple[str, ...]]], frozenset[str]]:
    """The synonym groups as queries match them, and their vocabulary, from one read."""
    groups = Synonym.objects.groups()
    return analyzed_synonyms(groups), synonym_vocabulary(groups)


def bigrams(terms: list[str], known: set[str]) -> list[tuple[str, str]]:
    """Neighbouring known terms of the query as typed: a document that has them together wins."""
    pairs = zip(terms, terms[1:], strict=False)
    return list(dict.fromkeys(p for p in pairs if p[0] in known and p[1] in known))[:MAX_BIGRAMS]


def useful_terms(searcher, terms: list[str]) -> list[str]:
    """Distinct terms that occur in the index, the rarest (most telling) first when cut."""
    known = []
    for term in dict.fromkeys(terms):
        frequency = sum(field_frequencies(searcher, term).values())
        if frequency:
            known.append((frequency, term))
    if len(known) > MAX_QUERY_TERMS:
        known = sorted(known)[:MAX_QUERY_TERMS]
    return [term for _, term in known]


@dataclass(frozen=True)
class Alternative:
    """One way a part of the query matches: a term (one word) or a phrase in one field."""

    field: str
    words: tuple[str, ...]
    boost: float
    slop: int = 1  # for a phrase: its words at most this far apart, in order


Part = list[Alternative]  # a part of the query scores by its best alternative


def build_parts(terms, bigrams, synonym_groups, context_terms=()) -> list[Part]:
    """The full query, as the parts whose scores add up: each term by its best field, in
    every field (however common: a word that most entries have weighs little by its own
    rarity, and leaving it out where common was measured to lose right answers once the
    best field was scored right, kb.search.ranking); each pair of neighbouring terms found
    together (a proximity bonus); each synonym group the query touches, once, by its best
    phrase; terms seen only in the paste's URLs, for less."""

    def lookup(t, boost: float = 1.0) -> Part:
        return [Alternative(f, (t,), FIELD_BOOSTS[f] * boost) for f in SEARCH_FIELDS]

    def phrase(words, in_fields, boost: float, slop: int = 1) -> Part:
        return [Alternative(f, tuple(words), FIELD_BOOSTS[f] * boost, slop) for f in in_fields]

    parts = [lookup(t) for t in terms]
    parts += [phrase(pair, PHRASE_FIELDS, BIGRAM_BOOST, PROXIMITY_SLOP) for pair in bigrams]
    for group in synonym_groups:
        parts.append(
            [
                alternative
                for p in group
                for alternative in (
                    lookup(p[0], SYNONYM_BOOST)
                    if len(p) == 1
                    else phrase(p, SEARCH_FIELDS, SYNONYM_BOOST)
                )
            ]
        )
    parts += [lookup(t, CONTEXT_BOOST) for t in context_terms]
    return [part for part in parts if part]


def whoosh_query(parts: list[Part]):
    """The same query as Whoosh's own (for comparing kb.search.ranking's scoring with it)."""

    def one(alternative: Alternative):
        if len(alternative.words) == 1:
            return Term(alternative.field, alternative.words[0], boost=alternative.boost)
        words = list(alternative.words)
        return Phrase(alternative.field, words, slop=alternative.slop, boost=alternative.boost)

    subqueries = [DisjunctionMax([one(a) for a in part]) for part in parts]
    return Or(subqueries, scale=COORDINATION) if subqueries else None


Lookup = tuple[str, str, float]  # field, term, boost


def candidate_lookups(terms, synonym_groups, context_terms=()) -> list[Lookup]:
    """The first stage of ranking (kb.search.ranking): each term of the query, typed, of a
    synonym or of a paste's URLs, in every field, weighted as in the full query; their scores
    add up (kb.search.postings.scores) over every entry that has each, however common the
    term. Nothing of the full query's phrases, best fields and coordination, which only the
    candidates pay for. (Scoring each term by its best field here, as the full query does,
    was measured: it kept out of the candidates right answers that the sum keeps.)"""
    weighted = dict.fromkeys(terms, 1.0)
    for group in synonym_groups:
        for phrase in group:
            for word in phrase:
                weighted.setdefault(word, SYNONYM_BOOST)
    for term in context_terms:
        weighted.setdefault(term, CONTEXT_BOOST)
    return [
        (field, term, boost * FIELD_BOOSTS[field])
        for term, boost in weighted.items()
        for field in SEARCH_FIELDS
    ]


def relevant(ranked: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """The (score, document) pairs worth showing: a match far weaker than the best is noise."""
    if not ranked:
        return []
    floor = ranked[0][0] * RELATIVE_CUTOFF
    return [pair for pair in ranked if pair[0] >= floor]
