"""Analysis: how documents and queries become terms, and what of a paste is worth reading.

Tokens such as X-Rate-Limit-Reset, invalid_grant and app.procore.com are kept whole and also
split into their parts; everything is lower-cased and stemmed (the spelling field is not
stemmed). Imports nothing of the project's.
"""

import functools
import re
from collections.abc import Iterator

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)

from kb.web.redaction import REDACTED

URL = re.compile(r"\bhttps?://\S+", re.IGNORECASE)
# Header lines of a pasted request or response that say nothing about what went wrong.
ROUTINE_HEADERS = (
    "accept", "accept-encoding", "accept-language", "accept-ranges", "age", "cache-control",
    "cf-ray", "connection", "content-encoding", "content-length", "content-type", "date", "etag",
    "expires", "host", "keep-alive", "last-modified", "pragma", "referrer-policy", "server",
    "set-cookie", "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via",
    "x-content-type-options", "x-frame-options", "x-request-id", "x-runtime", "x-xss-protection",
)  # fmt: skip
ROUTINE_HEADER_LINE = re.compile(
    rf"^[ \t]*(?:{'|'.join(map(re.escape, ROUTINE_HEADERS))})[ \t]*:.*$",
    re.IGNORECASE | re.MULTILINE,
)


# A token is a run of letters and digits, joined by - _ . @ / ' when they sit between two
# such runs: X-Rate-Limit-Reset, invalid_grant, app.procore.com, HTTP/1.1 stay whole.
TOKEN_PATTERN = r"[^\W_]+(?:[-_.@/'’][^\W_]+)*"
SPLIT_PATTERN = re.compile(r"[-_.@/'’]")


class CompoundFilter(Filter):
    """Emit `x-rate-limit-reset` whole, then each of its parts, at consecutive positions.

    So `X-Rate-Limit-Reset` matches a search for the whole header and one for "rate limit",
    and `invalid_grant` matches both `invalid_grant` and "invalid grant".
    """

    def __call__(self, tokens: Iterator) -> Iterator:
        shift = 0
        for token in tokens:
            parts = [p for p in SPLIT_PATTERN.split(token.text) if p]
            if hasattr(token, "pos"):
                token.pos += shift
            if len(parts) < 2:
                yield token
                continue
            whole, start = token.text, getattr(token, "startchar", None)
            base_pos = getattr(token, "pos", None)
            yield token
            offset = 0
            for number, part in enumerate(parts):
                offset = whole.index(part, offset)
                token.text = part
                if base_pos is not None:
                    token.pos = base_pos + number
                if start is not None:
                    token.startchar = start + offset
                    token.endchar = start + offset + len(part)
                offset += len(part)
                yield token
            shift += len(parts) - 1


def _analyzer(stem: bool = True):
    analyzer = (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CompoundFilter()
        | StopFilter(minsize=1, renumber=False)
    )
    return analyzer | StemFilter() if stem else analyzer


ANALYZER = _analyzer()
PLAIN_ANALYZER = _analyzer(stem=False)  # for spelling corrections: real words, not stems


# Distinct written words whose terms are kept (a few hundred bytes each): a search analyses its
# query and the answers it shows, mostly words seen before.
WORD_MEMORY = 16_384
WORD = re.compile(TOKEN_PATTERN)


@functools.lru_cache(maxsize=WORD_MEMORY)
def _word_terms(word: str, stem: bool) -> tuple[tuple[str, int, int], ...]:
    tokens = (ANALYZER if stem else PLAIN_ANALYZER)(word, chars=True)
    return tuple((token.text, token.startchar, token.endchar) for token in tokens)


def terms_at(text: str, stem: bool = True) -> Iterator[tuple[str, int, int]]:
    """The analyser's terms of the text with where each stands, (term, start, end), as the
    analysers give them: they take each written word on its own, so a word's terms are
    worked out once and remembered (Whoosh's filters cost a few microseconds a word, most of
    the time of analysing a long paste or an answer's sentences)."""
    for match in WORD.finditer(text):
        offset = match.start()
        for term, start, end in _word_terms(match.group(), stem):
            yield term, offset + start, offset + end


def forget_words() -> None:
    """Forget the words' terms worked out so far (the benchmark times searches without them)."""
    _word_terms.cache_clear()


def analyze(text: str, plain: bool = False) -> list[str]:
    return [term for term, _, _ in terms_at(text, stem=not plain)]


Span = tuple[int, int]


def written_words(text: str) -> list[tuple[str, Span, list[tuple[str, Span]]]]:
    """Each word of the text as its term and where it stands, with the terms of its parts and
    where they stand: `X-Rate-Limit-Reset` gives ("x-rate-limit-reset", (0, 18), [("x",
    (0, 1)), ("rate", (2, 6)), …]). Stop words are left out."""
    words: list[tuple[str, Span, list[tuple[str, Span]]]] = []
    whole = None
    for term, start, end in terms_at(text):
        span = (start, end)
        # CompoundFilter emits a compound whole, then its parts inside the same characters.
        if whole and whole[0] <= span[0] and span[1] <= whole[1] and span != whole:
            words[-1][2].append((term, span))
        else:
            words.append((term, span, []))
            whole = span
    return words


def word_terms(text: str) -> list[tuple[str, list[str]]]:
    """Each word of the text as its own term and the terms of its parts, in one pass:
    `X-Rate-Limit-Reset` gives ("x-rate-limit-reset", ["x", "rate", "limit", "reset"]),
    `tokens` gives ("token", []). Stop words are left out."""
    return [(term, [part for part, _ in parts]) for term, _, parts in written_words(text)]


def term_spans(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """Where the text has these terms, as (start, end, term) in order of the text: a compound
    whole comes before its parts, which start inside it."""
    return [(start, end, term) for term, start, end in terms_at(text) if term in terms]


def written_prefix(term: str) -> str:
    """Letters every written word that analyses to this term has in it: a stem keeps the
    word's beginning but its last letter may differ (happy -> happi), so up to three letters
    before it. For skipping text that cannot have the term without analysing it."""
    return term[: max(1, min(3, len(term) - 1))]


def split_paste(text: str) -> tuple[str, str]:
    """A paste as (what describes the problem, its context).

    Headers that every response carries (Content-Type, Date, Server...) are dropped: they would
    match entries about JSON or dates, not the problem, and neither would the marks left where
    secrets were redacted. URLs are context: `company_id=42` in a
    failing request's URL is not why it failed, so their terms weigh less than the message's.
    """
    text = ROUTINE_HEADER_LINE.sub(" ", text).replace(REDACTED, " ")
    context = " ".join(URL.findall(text))
    return URL.sub(" ", text), context
