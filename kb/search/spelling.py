"""Spelling: which words of a short query the index does not know, and their likeliest
spelling when a correction is clearly better than none.

The work is bounded whatever is sent: at most MAX_CORRECTED_WORDS words are looked at, and
only words of at most MAX_CORRECTED_LENGTH letters are corrected, because the fuzzy lookup's
cost grows with the word's length (eight 475-letter nonsense words once cost three seconds of
CPU) while real words are short: a 30-letter "word" is an identifier or a token, not a typo.
"""

import re
from dataclasses import dataclass, field

from whoosh.support.levenshtein import damerau_levenshtein

from kb.search import english
from kb.search.analysis import TOKEN_PATTERN, analyze

MAX_CORRECTED_WORDS = 8  # only short queries get typo corrections
MIN_CORRECTED_LENGTH = 4  # shorter words have too many neighbours to guess from
MAX_CORRECTED_LENGTH = 20  # longer ones are tokens, and costly to look up
MIN_REPORTED_LENGTH = 3  # shorter unknown words are not worth naming on the results page
# A paste of code, JSON, markup or an HTTP exchange: its words are as the program wrote them
# (`"base": …`, `<included>`), never typos to fix.
CODE_LIKE = re.compile(r"""[{}\[\]<>=;`"]|\bHTTP/\d|\n""")


@dataclass
class Spelling:
    corrections: dict[str, str] = field(default_factory=dict)  # word -> likeliest spelling
    unknown: list[str] = field(default_factory=list)  # words the index does not know


def check(searcher, text: str, vocabulary: frozenset[str] = frozenset()) -> Spelling:
    """The words of a short query that the index does not know, corrected where that is
    clearly better than leaving them. English words are never corrected, nor anything in a
    paste of code, JSON or HTTP.

    Only words the index does not know are ever corrected, but a word the index does not know
    may be spelt right: it is about something the knowledge base does not cover. Correcting
    "helm" to "help" in `kubernetes helm chart` finds answers about help, not about the query.
    So corrections are kept only when, with them, the index understands most of the query: more
    known and corrected words than words still unknown. Otherwise the query is left as typed,
    and the page says honestly that nothing matches it.

    Words of the `vocabulary` (those engineers listed as synonyms) are known too: a synonym
    that no answer uses is not a typo of a word that one does.
    """
    words = analyze(text, plain=True)
    if len(words) > MAX_CORRECTED_WORDS or CODE_LIKE.search(text):
        return Spelling()
    reader = searcher.reader()
    spelling = Spelling()
    known = 0
    for word in dict.fromkeys(words):
        if any(c.isdigit() for c in word):
            continue  # codes and ids: 4290 is not a typo of 429
        if word in vocabulary or reader.frequency("spelling", word):
            known += 1
        elif english.is_word(word):
            # A real word no answer uses ("projects", "gone", "timezone"): the query is about
            # something the knowledge base may not cover, which a "correction" would hide.
            spelling.unknown.append(word)
        elif MIN_CORRECTED_LENGTH <= len(word) <= MAX_CORRECTED_LENGTH and (
            correction := _likeliest(reader, word)
        ):
            spelling.corrections[word] = correction
        elif len(word) >= MIN_REPORTED_LENGTH:
            spelling.unknown.append(word)
    if spelling.corrections and len(spelling.unknown) >= known + len(spelling.corrections):
        spelling.unknown += list(spelling.corrections)
        spelling.corrections = {}
    return spelling


def _likeliest(reader, word: str) -> str | None:
    if split := _split_compound(reader, word):
        return split
    maxdist = 1 if len(word) < 7 else 2
    candidates = [
        # The word's count of entries (kb.search.building: its frequency in the field).
        (damerau_levenshtein(word, c), -reader.frequency("spelling", c), c)
        for c in reader.terms_within("spelling", word, maxdist)
        if c != word and len(c) >= 3
    ]
    return min(candidates)[2] if candidates else None


def _split_compound(reader, word: str) -> str | None:
    """`ratelimit` -> `rate limit`: two known words written together."""
    for cut in range(3, len(word) - 2):
        left, right = word[:cut], word[cut:]
        if reader.frequency("spelling", left) and reader.frequency("spelling", right):
            return f"{left} {right}"
    return None


def apply_corrections(text: str, corrections: dict[str, str]) -> str:
    def replace(match):
        word = match.group(0)
        return corrections.get(word.lower(), word)

    return re.sub(TOKEN_PATTERN, replace, text)
