"""Spelling corrections: the likeliest known word for a word the index does not know.

The work is bounded whatever is sent: at most MAX_CORRECTED_WORDS words are looked at, and
only words of at most MAX_CORRECTED_LENGTH letters, because the fuzzy lookup's cost grows with
the word's length (eight 475-letter nonsense words once cost three seconds of CPU) while real
words are short: a 30-letter "word" is an identifier or a token, not a typo.
"""

import re

from whoosh.support.levenshtein import damerau_levenshtein

from kb.search.analysis import TOKEN_PATTERN, analyze

MAX_CORRECTED_WORDS = 8  # only short queries get typo corrections
MIN_CORRECTED_LENGTH = 4
MAX_CORRECTED_LENGTH = 20


def corrections(searcher, text: str) -> dict[str, str]:
    """Words of a short query that the index does not know, with their likeliest spelling."""
    words = analyze(text, plain=True)
    if len(words) > MAX_CORRECTED_WORDS:
        return {}
    reader = searcher.reader()
    corrections = {}
    for word in dict.fromkeys(words):
        if (
            not MIN_CORRECTED_LENGTH <= len(word) <= MAX_CORRECTED_LENGTH
            or any(c.isdigit() for c in word)
            or reader.frequency("spelling", word)
        ):
            continue
        if split := _split_compound(reader, word):
            corrections[word] = split
            continue
        maxdist = 1 if len(word) < 7 else 2
        candidates = [
            (damerau_levenshtein(word, c), -reader.doc_frequency("spelling", c), c)
            for c in reader.terms_within("spelling", word, maxdist)
            if c != word and len(c) >= 3
        ]
        if candidates:
            corrections[word] = min(candidates)[2]
    return corrections


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
