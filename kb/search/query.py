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
MAX_CANDIDATES = 200  # hits scored per search, before the relevance cut
# A term is looked up in the answers for candidates when at most this many answers (or this
# share of them, if more) have it: rarer terms are telling, and their postings cheap to read.
ANSWER_LOOKUP_MIN_DOCS = 1000
ANSWER_LOOKUP_SHARE = 0.05
RELATIVE_CUTOFF = 0.12  # hits scoring under this share of the best one are not shown
PHRASE_FIELDS = ("question", "symptoms", "answer")
PROXIMITY_SLOP = 2  # "token ... working" still counts as together
BIGRAM_BOOST = 0.5
SYNONYM_BOOST = 0.6
CONTEXT_BOOST = 0.4  # terms found only in the URLs of a paste

SEARCH_FIELDS = tuple(FIELD_BOOSTS)


def analyzed_synonyms() -> list[list[tuple[str, ...]]]:
    """Every synonym group (maintained by engineers), each phrase as its words as wholes
    (`invalid_grant` is one word, as the index holds it at one position, not "invalid_grant
    invalid grant", which no document has in a row)."""
    return [
        [tuple(whole for whole, _ in word_terms(phrase)) for phrase in group]
        for group in Synonym.objects.groups()
    ]


def synonym_groups(terms: list[str], groups=None) -> list[list[tuple[str, ...]]]:
    """The synonym groups that the query touches, each as its phrases other than the ones the
    query already has. `groups`: analyzed_synonyms(), when the caller keeps them."""
    found = []
    query = f" {' '.join(terms)} "
    for analyzed in analyzed_synonyms() if groups is None else groups:
        if any(phrase and f" {' '.join(phrase)} " in query for phrase in analyzed):
            others = [p for p in analyzed if p and f" {' '.join(p)} " not in query]
            if others:
                found.append(list(dict.fromkeys(others)))
    return found


def synonym_vocabulary() -> frozenset[str]:
    """Every word of the synonyms, as typed (unstemmed): words the search knows even when no
    answer uses them."""
    return frozenset(
        word
        for group in Synonym.objects.groups()
        for phrase in group
        for word in analyze(phrase, plain=True)
    )


def bigrams(terms: list[str], known: set[str]) -> list[tuple[str, str]]:
    """Neighbouring known terms of the query as typed: a document that has them together wins."""
    pairs = zip(terms, terms[1:], strict=False)
    return list(dict.fromkeys(p for p in pairs if p[0] in known and p[1] in known))[:MAX_BIGRAMS]


def useful_terms(searcher, terms: list[str]) -> list[str]:
    """Distinct terms that occur in the index, the rarest (most telling) first when cut."""
    reader = searcher.reader()
    known = []
    for term in dict.fromkeys(terms):
        frequency = sum(reader.doc_frequency(f, term) for f in SEARCH_FIELDS)
        if frequency:
            known.append((frequency, term))
    if len(known) > MAX_QUERY_TERMS:
        known = sorted(known)[:MAX_QUERY_TERMS]
    return [term for _, term in known]


def build_query(terms, bigrams, synonym_groups, context_terms=()):
    """Each term scores by its best field (plus a little for the others); documents that match
    more of the query's parts get a coordination bonus. Neighbouring terms found together add a
    proximity bonus, each synonym group the query touches counts once, by its best phrase, and
    terms seen only in the paste's URLs count for less."""

    def best_field(make, fields=SEARCH_FIELDS, boost: float = 1.0):
        return DisjunctionMax([make(f, FIELD_BOOSTS[f] * boost) for f in fields], tiebreak=0.3)

    def term(t):
        return lambda f, b: Term(f, t, boost=b)

    def phrase(words, slop=1):
        return lambda f, b: Phrase(f, list(words), slop=slop, boost=b)

    subqueries = [best_field(term(t)) for t in terms]
    subqueries += [
        best_field(phrase(pair, slop=PROXIMITY_SLOP), PHRASE_FIELDS, BIGRAM_BOOST)
        for pair in bigrams
    ]
    for group in synonym_groups:
        alternatives = [
            best_field(term(p[0]) if len(p) == 1 else phrase(p), boost=SYNONYM_BOOST) for p in group
        ]
        subqueries.append(DisjunctionMax(alternatives))
    subqueries += [best_field(term(t), boost=CONTEXT_BOOST) for t in context_terms]
    return Or(subqueries, scale=0.7) if subqueries else None


def build_candidate_query(searcher, terms, synonym_groups, context_terms=()):
    """The first stage of ranking (kb.search.ranking): plain term lookups, weighted as in the
    full query, with nothing (phrases, best-field or coordination wrappers) that would stop
    Whoosh from skipping documents that cannot make the cut.

    Each term is looked up in the question, the symptoms and the category, which say what an
    entry is about; in the answers only when few of them have it. A word that half the answers
    use ("request", "error") tells the candidates apart no better than chance, and reading
    its postings would be most of the cost. The full query still scores the answers."""
    weighted = dict.fromkeys(terms, 1.0)
    for group in synonym_groups:
        for phrase in group:
            for word in phrase:
                weighted.setdefault(word, SYNONYM_BOOST)
    for term in context_terms:
        weighted.setdefault(term, CONTEXT_BOOST)
    reader = searcher.reader()
    common = max(ANSWER_LOOKUP_MIN_DOCS, reader.doc_count() * ANSWER_LOOKUP_SHARE)
    lookups = []
    for term, boost in weighted.items():
        fields = [f for f in SEARCH_FIELDS if f != "answer"]
        if reader.doc_frequency("answer", term) <= common:
            fields.append("answer")
        lookups += [Term(f, term, boost=boost * FIELD_BOOSTS[f]) for f in fields]
    return Or(lookups) if lookups else None


def relevant(ranked: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """The (score, document) pairs worth showing: a match far weaker than the best is noise."""
    if not ranked:
        return []
    floor = ranked[0][0] * RELATIVE_CUTOFF
    return [pair for pair in ranked if pair[0] >= floor]
