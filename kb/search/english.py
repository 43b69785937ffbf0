"""English words, from pyspellchecker's English word list and the counts it keeps of each.

Two questions are asked of it: whether a word the index does not know is a real word (then it
is never "corrected" into one the index knows: `projects` is not a typo of `rejects`), and how
much a word says about a problem for being rare in English (`paginate`, `timezone`, `cors`)
rather than everyday (`get`, `time`, `whenever`), whatever the index holds.

The list is read once per process, on first use (about half a second and 20 MB): the words as
one frozen set, and the counts of the commoner ones apart.
"""

import functools
import gzip
import json
import math
from importlib.resources import files

# Words counted at most this often in the list's sources are rare enough to say everything
# a word can ("timezone", "paginate", "token"); from there, the commoner a word, the less it
# says, down to nothing for the commonest ("what", "get", "time", "does", "much").
RARE_COUNT = 10_000
COMMONEST_COUNT = 1_000_000


@functools.cache
def _words() -> tuple[frozenset[str], dict[str, int]]:
    raw = files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
    counts: dict[str, int] = json.loads(gzip.decompress(raw))
    common = {word: count for word, count in counts.items() if count > RARE_COUNT}
    return frozenset(counts), common


def is_word(word: str) -> bool:
    """Whether the word, in lower case, is an English word."""
    return word.lower() in _words()[0]


def specificity(word: str) -> float:
    """From 1 for a word rare in English, or in none (`cors`, `oauth`), to 0 for the
    commonest words, falling with the logarithm of how often English uses it."""
    count = _words()[1].get(word.lower(), 0)
    if count <= RARE_COUNT:
        return 1.0
    span = math.log(COMMONEST_COUNT) - math.log(RARE_COUNT)
    return max(0.0, (math.log(COMMONEST_COUNT) - math.log(count)) / span)
