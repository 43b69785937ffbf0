"""Query building and ranking: which terms of the input count, and how a document scores.

Input is never handed to a query parser: it is analyzed like the documents, reduced to its
most useful terms and turned into a query of plain term lookups, with bonuses for terms found
together, for synonyms (kept by engineers in the admin) and for the question and symptoms.
"""

from whoosh.query import DisjunctionMax, Or, Phrase, Term

from kb.content.models import Synonym
from kb.search.analysis import analyze, word_terms

# How much a match in each field counts. Symptoms are what developers paste, so they weigh
# almost as much as the question itself.
FIELD_BOOSTS = {"question": 3.0, "symptoms": 2.5, "category": 1.2, "answer": 1.0}
MAX_INPUT_CHARS = 4000  # a pasted response is cut here before analysis
MAX_QUERY_TERMS = 24  # and reduced to this many of its most useful terms
MAX_BIGRAMS = 12
MAX_CANDIDATES = 50  # hits scored per search, before the relevance cut
# A term in more than this share of a field's entries is not looked up in that field, when
# that is more than the minimum of entries (kb.search.query.telling_fields).
COMMON_SHARE = 0.1
COMMON_MIN_DOCS = 1000
RELATIVE_CUTOFF = 0.12  # hits scoring under this share of the best one are not shown
PHRASE_FIELDS = ("question", "symptoms", "answer")
PROXIMITY_SLOP = 2  # "token ... working" still counts as together
BIGRAM_BOOST = 0.5
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


def field_frequencies(reader, term: str) -> dict[str, int]:
    """How many entries have the term, in each searched field."""
    return {field: reader.doc_frequency(field, term) for field in SEARCH_FIELDS}


def useful_terms(searcher, terms: list[str]) -> list[str]:
    """Distinct terms that occur in the index, the rarest (most telling) first when cut."""
    reader = searcher.reader()
    known = []
    for term in dict.fromkeys(terms):
        frequency = sum(field_frequencies(reader, term).values())
        if frequency:
            known.append((frequency, term))
    if len(known) > MAX_QUERY_TERMS:
        known = sorted(known)[:MAX_QUERY_TERMS]
    return [term for _, term in known]


def telling_fields(searcher, terms, min_docs: int = COMMON_MIN_DOCS) -> dict[str, tuple[str, ...]]:
    """For each term, the fields worth looking it up in: those that have it, but not in more
    than COMMON_SHARE of the entries, on an index of more than COMMON_MIN_DOCS entries. A term
    that thousands of answers use adds about the same to every candidate, and reading its long
    posting list is what costs at size (at 10,000 entries, leaving such lookups out also put
    the right entry first for more of the dev queries: 0.70 of them instead of 0.61). When
    every term is that common ("procore"), each is looked up in its rarest field, so that the
    search still finds something. On a small site every field that has the term counts."""
    reader = searcher.reader()
    ceiling = max(min_docs, reader.doc_count() * COMMON_SHARE)
    frequency = {term: field_frequencies(reader, term) for term in terms}
    telling = {
        term: tuple(f for f in SEARCH_FIELDS if 0 < counts[f] <= ceiling)
        for term, counts in frequency.items()
    }
    if any(telling.values()):
        return telling
    return {
        term: tuple(sorted((f for f in SEARCH_FIELDS if counts[f]), key=counts.get)[:1])
        for term, counts in frequency.items()
    }


def build_query(terms, bigrams, synonym_groups, context_terms=(), fields=None):
    """Each term scores by its best field (plus a little for the others); documents that match
    more of the query's parts get a coordination bonus. Neighbouring terms found together add a
    proximity bonus, each synonym group the query touches counts once, by its best phrase, and
    terms seen only in the paste's URLs count for less. `fields`: telling_fields(), where a
    term is looked up (every field when not given)."""

    def best_field(make, fields=SEARCH_FIELDS, boost: float = 1.0):
        return DisjunctionMax([make(f, FIELD_BOOSTS[f] * boost) for f in fields], tiebreak=0.3)

    def term(t):
        return lambda f, b: Term(f, t, boost=b)

    def lookup(t, boost: float = 1.0):
        found = SEARCH_FIELDS if fields is None else fields.get(t, SEARCH_FIELDS)
        return best_field(term(t), found, boost) if found else None

    def phrase(words, slop=1):
        return lambda f, b: Phrase(f, list(words), slop=slop, boost=b)

    subqueries = [lookup(t) for t in terms]
    subqueries += [
        best_field(phrase(pair, slop=PROXIMITY_SLOP), PHRASE_FIELDS, BIGRAM_BOOST)
        for pair in bigrams
    ]
    for group in synonym_groups:
        alternatives = [
            lookup(p[0], SYNONYM_BOOST)
            if len(p) == 1
            else best_field(phrase(p), boost=SYNONYM_BOOST)
            for p in group
        ]
        if any(alternatives):
            subqueries.append(DisjunctionMax([a for a in alternatives if a]))
    subqueries += [lookup(t, CONTEXT_BOOST) for t in context_terms]
    subqueries = [q for q in subqueries if q]
    return Or(subqueries, scale=0.7) if subqueries else None


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
