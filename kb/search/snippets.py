"""Snippets: the sentence of a hit's answer that shows the developer why it matched.

The answer reads better than a list of symptoms, so the snippet is always taken from it: the
sentence with the most of what the developer typed (rarer words count more), with those words
marked, or the answer's first sentence when no sentence has any. Only the words typed (or their
spelling corrections) are marked, never synonyms or words of a paste's URLs.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.search.analysis import term_spans, word_terms, written_prefix

MAX_CHARS = 220  # a longer sentence is cut around its first marked word
LEAD_CHARS = 60  # of text kept before that word
# A sentence ends at . ! or ? (maybe followed by a closing quote or bracket) and a space before
# a capital, a digit or an opening quote; a line break (a list item, a table cell) ends one too.
# "e.g. the" and "api.procore.com" do not end a sentence.
SENTENCE_BREAK = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))[ \t]+(?=[\"“‘(\[`]?[A-Z0-9])|[ \t]*\n\s*"
)


def marked_terms(text: str, known: set[str]) -> set[str]:
    """The terms to mark for a query: each word as typed when the index knows it whole, else
    its known parts. `invalid_grant` marks invalid_grant, never every "invalid"; `rate limit`
    marks the parts of X-Rate-Limit-Reset."""
    marked = set()
    for whole, parts in word_terms(text):
        if whole in known:
            marked.add(whole)
        else:
            marked.update(part for part in parts if part in known)
    return marked


def sentences(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the text's sentences, without surrounding space."""
    spans, start = [], 0
    for match in SENTENCE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def snippet(answer: str, terms: set[str], weights: dict[str, float] | None = None) -> SafeString:
    """The answer's most telling sentence for these terms, escaped, with the terms marked."""
    # Line by line (paragraphs, list items, table cells: each ends a sentence), spaces folded.
    lines = (" ".join(line.split()) for line in answer.splitlines())
    answer = "\n".join(line for line in lines if line)
    spans = sentences(answer)
    if not spans:
        return mark_safe("")
    marks = _marks(answer, spans, terms)
    best, best_score = None, 0.0
    for number, (start, end) in enumerate(spans):
        inside = [mark for mark in marks if start <= mark[0] < end]
        if not inside:
            continue
        found = {term for _, _, term in inside}
        score = sum((weights or {}).get(term, 1.0) for term in found) + 0.1 * len(inside)
        if score > best_score:  # ties go to the earlier sentence
            best, best_score = number, score
    if best is None:
        start, end = spans[0]
        return _render(answer, start, end, [])
    start, end = spans[best]
    return _render(answer, start, end, [mark for mark in marks if start <= mark[0] < end])


def _marks(answer: str, spans: list[tuple[int, int]], terms: set[str]) -> list:
    """term_spans() of the answer, analysing only the sentences that can have a term: an
    answer with code samples is long, and analysing all of it was a quarter of a search."""
    prefixes = {written_prefix(term) for term in terms}
    lowered = answer.lower()
    marks = []
    for start, end in spans:
        sentence = lowered[start:end]
        if any(prefix in sentence for prefix in prefixes):
            found = term_spans(answer[start:end], terms)
            marks += [(start + a, start + b, term) for a, b, term in found]
    return marks


def _render(text: str, start: int, end: int, marks: list[tuple[int, int, str]]) -> SafeString:
    """text[start:end], cut to MAX_CHARS around its first mark, escaped, marks in <mark>."""
    cut_start, cut_end = start, end
    if end - start > MAX_CHARS:
        first = marks[0][0] if marks else start
        cut_start = max(start, first - LEAD_CHARS)
        if cut_start > start:  # begin at a word
            space = text.find(" ", cut_start, first)
            cut_start = space + 1 if space != -1 else cut_start
        cut_end = min(end, cut_start + MAX_CHARS)
        if cut_end < end:  # end at a word
            space = text.rfind(" ", cut_start, cut_end)
            cut_end = space if space > cut_start else cut_end
    parts, position = [], cut_start
    for mark_start, mark_end, _ in marks:
        # A compound's parts start inside the compound already marked whole.
        if mark_start < position or mark_end > cut_end:
            continue
        parts.append(escape(text[position:mark_start]))
        parts.append(f"<mark>{escape(text[mark_start:mark_end])}</mark>")
        position = mark_end
    parts.append(escape(text[position:cut_end]))
    html = "".join(parts).strip()
    if cut_start > start:
        html = "…" + html
    if cut_end < end:
        html += "…"
    return mark_safe(html)
