"""English words, from pyspellchecker's English word list and the counts it keeps of each.

Two questions are asked of it: whether a word the index does not know is a real word (then it
is never "corrected" into one the index knows: `projects` is not a typo of `rejects`), and how
much a word says about a problem for being rare in English (`paginate`, `timezone`, `cors`)
rather than everyday (`get`, `time`, `whenever`), whatever the index holds.

The list is read once per process, on first use (about a quarter of a second): its 160,000
words sorted in one string, looked up by a binary search, and the counts of the 5,000 commoner
ones apart, about 2 MB (as a set and a dictionary of every count, 20 MB in each worker, and
30 MB more while the list was read).
"""

import bisect
import functools
import gzip
import io
import math
import re
from array import array
from importlib.resources import files

# Words counted at most this often in the list's sources are rare enough to say everything
# a word can ("timezone", "paginate", "token"); from there, the commoner a word, the less it
# says, down to nothing for the commonest ("what", "get", "time", "does", "much").
RARE_COUNT = 10_000
COMMONEST_COUNT = 1_000_000
# The list is a JSON object of lower-case words and their counts, sorted, without escapes.
ENTRY = re.compile(r'"([^"\\]*)":\s*(\d+)')


@functools.cache
def _words() -> tuple[str, array, dict[str, int]]:
    """The words, one a line, in one string; where each starts (and where the last ends); the
    counts of the commoner ones."""
    text = gzip.decompress(files("spellchecker").joinpath("resources/en.json.gz").read_bytes())
    words, starts, common, position = io.StringIO(), array("I", [0]), {}, 0
    for match in ENTRY.finditer(text.decode()):
        word = match.group(1)
        words.write(f"{word}\n")
        position += len(word) + 1
        starts.append(position)
        if (count := int(match.group(2))) > RARE_COUNT:
            common[word] = count
    return words.getvalue(), starts, common


def is_word(word: str) -> bool:
    """Whether the word, in lower case, is an English word."""
    text, starts, _ = _words()
    wanted = word.lower()

    def word_at(number: int) -> str:
        return text[starts[number] : starts[number + 1] - 1]

    count = len(starts) - 1
    found = bisect.bisect_left(range(count), wanted, key=word_at)
    return found < count and word_at(found) == wanted


def specificity(word: str) -> float:
    """From 1 for a word rare in English, or in none (`cors`, `oauth`), to 0 for the
    commonest words, falling with the logarithm of how often English uses it."""
    count = _words()[2].get(word.lower(), 0)
    if count <= RARE_COUNT:
        return 1.0
    span = math.log(COMMONEST_COUNT) - math.log(RARE_COUNT)
    return max(0.0, (math.log(COMMONEST_COUNT) - math.log(count)) / span)
