"""Whether the first result answers the query: decided from what matched, not from a score.

A score says how well an entry matches compared with the others, never whether any of them
is about the query: `how do i paginate through all projects` finds entries that say "how do
I" and "projects", and the best of them is still no answer. So the query's words are weighed
by how much each tells about the problem, and the first entry must cover most of that weight.

A word's weight is the product of two rarities:
- in the index, its idf, as in ranking: `procore` and `api`, in nearly every entry, weigh
  little; `429` or `cors`, in one or two, weigh much; a word the index does not have weighs
  the most, as a word of an entry that nobody has written (`paginate`, `graphql`, `saml`);
- in English (english.specificity): `get`, `what` or `time` say nothing of the problem, and
  `whenever` or `project` little, whatever the index holds.
An HTTP status code (`429`) weighs twice: it names the problem more surely than the words
around it. A word counts as covered when the entry's question, symptoms, answer or category
has it, or has a synonym of it that engineers listed.

Only the words of the message are weighed: in a paste, the URLs (context) are not why it failed.
"""

import math
import re
from dataclasses import dataclass

from kb.search import english
from kb.search.analysis import analyze, written_words
from kb.search.index import field_frequencies

# The share of the query's weight the first entry must cover to be called an answer.
COVERED_SHARE = 0.45
# An HTTP status code names the problem more surely than any word around it.
STATUS_CODE = re.compile(r"[1-5]\d\d")
STATUS_CODE_WEIGHT = 2.0
# And what it covers must tell something: a word in at most half the entries (an idf of
# log 2), or several in more. "how do I use the api" is covered by every entry that says
# "api", and answered by none; "token" is answered by the entries about tokens.
MIN_COVERED_WEIGHT = math.log(2)
# A paste is judged by its first words: its message comes before its body's details.
MAX_WEIGHED_WORDS = 40


@dataclass
class Word:
    written: str  # as typed, for the English check
    compound: bool = False  # `invalid_grant`: weighed by its parts when the index lacks it


def query_words(text: str) -> dict[str, Word]:
    """Each distinct term of the text and how it was written: the first MAX_WEIGHED_WORDS, a
    compound (`invalid_grant`, `X-Rate-Limit-Reset`) before its parts."""
    words: dict[str, Word] = {}
    for term, (start, end), parts in written_words(text):
        word = words.setdefault(term, Word(text[start:end]))
        word.compound = word.compound or bool(parts)
        for part, (part_start, part_end) in parts:
            words.setdefault(part, Word(text[part_start:part_end]))
    return dict(list(words.items())[:MAX_WEIGHED_WORDS])


def _idf(documents: int, frequency: float) -> float:
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


def weights(searcher, words: dict[str, Word], vocabulary: frozenset[str]) -> dict[str, float]:
    """How much each term tells about the problem (see the module's docstring)."""
    documents = searcher.doc_count()
    frequency = {term: max(field_frequencies(searcher, term).values()) for term in words}
    weighed = {}
    for term, word in words.items():
        if frequency[term]:
            rarity = _idf(documents, frequency[term])
        elif word.written.lower() in vocabulary:
            rarity = _idf(documents, 1)  # a synonym engineers listed: known, if rare
        elif word.compound:
            continue  # a compound the index does not know, weighed by its parts
        else:
            rarity = _idf(documents, 0)
        weighed[term] = rarity * english.specificity(word.written)
        if STATUS_CODE.fullmatch(term):
            weighed[term] *= STATUS_CODE_WEIGHT
    return weighed


def entry_terms(entry) -> set[str]:
    text = f"{entry.question}\n{entry.symptoms}\n{entry.answer_text}\n{entry.category.name}"
    return set(analyze(text))


def covered(terms: set[str], query_terms: set[str], groups) -> set[str]:
    """The query's terms the entry has, itself or through a synonym group that the query and
    the entry both touch."""
    found = query_terms & terms
    for group in groups:
        if any(phrase and set(phrase) <= terms for phrase in group):
            for phrase in group:
                if phrase and set(phrase) <= query_terms:
                    found |= set(phrase)
    return found


def coverage(searcher, message: str, entry, groups, vocabulary: frozenset[str]):
    """(covered weight, total weight) of the message's words in the entry."""
    weighed = weights(searcher, query_words(message), vocabulary)
    found = covered(entry_terms(entry), set(weighed), groups)
    return sum(weighed[term] for term in found), sum(weighed.values())


def answers(searcher, message: str, entry, groups, vocabulary: frozenset[str]) -> bool:
    """Whether `entry` (the first result) answers the message."""
    found, total = coverage(searcher, message, entry, groups, vocabulary)
    if not total:
        return False  # nothing telling was asked: "how do I", "api"
    return found >= MIN_COVERED_WEIGHT and found >= COVERED_SHARE * total
