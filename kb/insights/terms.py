"""The words of a query or a symptom that say what the problem is, and how rare each one is.

Used to group searches into gaps (kb/insights/gaps.py) and to find entries that share
symptoms (kb/editorial/related.py). Plain Python on purpose: search's own analysis lives in
kb/search, behind its interface, and what matters here is only that "webhook retries",
"Webhooks retrying" and "retry webhook" come out as the same two terms.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[a-z0-9]+")
# An address in a pasted message (https://api.procore.com/rest/v1.0/…, api.procore.eu): the
# context of the problem, not the problem, when the text has words besides.
_ADDRESS = re.compile(r"\b(?:https?://\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)+\.[a-z]{2,}\S*)", re.I)

# Words that say nothing about which problem a developer has.
STOPWORDS = frozenset(
    """a an and are as at be but by can cannot could do does doing for from get gets getting
    had has have how i if in into is it its me my no of on or our please so than that the
    their them then there this to use used using was we what when where which while who why
    will with would you your""".split()  # noqa: SIM905 (a list of 70 one-word strings reads worse)
)


def stem(word: str) -> str:
    """A deliberately small stemmer: plurals and -ing/-ed forms, and a final e.

    retries, retrying, retried -> retry; webhooks -> webhook; expired, expires -> expir.
    """
    if len(word) > 4 and word.endswith(("ies", "ied")):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def terms(text: str, synonyms: dict[str, str] | None = None) -> frozenset[str]:
    """The stemmed words of `text` that are not stopwords; those of its addresses only when
    it has no other words (a pasted CORS error is not about api.procore.com; "api.procore.eu"
    alone is). `synonyms` (synonym_map) puts one word for each group of synonyms."""
    found = _words(_ADDRESS.sub(" ", text)) or _words(text)
    return frozenset((synonyms or {}).get(term, term) for term in found)


def _words(text: str) -> frozenset[str]:
    return frozenset(
        stem(word)
        for word in _WORD.findall(text.lower())
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit())
    )


def synonym_map(groups: Iterable[Iterable[str]]) -> dict[str, str]:
    """Each one-word synonym's term, mapped to its group's first: so that "europe api endpoint"
    and "eu base url" share a word once engineers list eu and europe together."""
    mapping = {}
    for group in groups:
        words = [next(iter(found)) for phrase in group if len(found := _words(phrase)) == 1]
        for word in words[1:]:
            mapping.setdefault(word, words[0])
    return mapping


def rarity(documents: Iterable[frozenset[str]]) -> dict[str, float]:
    """Inverse document frequency of every term: high for a term few documents have."""
    documents = list(documents)
    counts = Counter(term for document in documents for term in document)
    total = len(documents)
    return {term: math.log(1 + total / count) for term, count in counts.items()}


def overlap(a: frozenset[str], b: frozenset[str], weights: dict[str, float]) -> float:
    """How much of the smaller of two term sets the other shares, each term counted by its
    rarity: 1.0 when one contains the other, 0.5 when two short queries share one of two
    equally rare words."""
    smaller = min(sum(weights.get(t, 0.0) for t in a), sum(weights.get(t, 0.0) for t in b))
    if smaller <= 0:
        return 0.0
    return sum(weights.get(t, 0.0) for t in a & b) / smaller
