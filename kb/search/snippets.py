"""Snippets: the passage of a hit that shows the developer why it matched."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from whoosh import highlight

formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)


TECHNICAL_MARK = re.compile(r"<mark[^>]*>[^<]*[-_./0-9][^<]*</mark>")


def snippet(hit, fallback: str) -> SafeString:
    """The matching text with the matched words marked (Whoosh escapes the text around them).

    The answer usually reads best; but when the developer pasted something technical (an error
    code, a header name, a status) and a symptom has it, that symptom line shows they are in
    the right place.
    """
    highlights = {f: hit.highlights(f, top=2) for f in ("answer", "symptoms", "question")}
    order = ("answer", "symptoms", "question")
    if TECHNICAL_MARK.search(highlights["symptoms"] or ""):
        order = ("symptoms", "answer", "question")
    for fieldname in order:
        html = highlights[fieldname]
        if html and "<mark" in html:
            separator = " · " if fieldname == "symptoms" else " "
            return mark_safe(separator.join(html.split("\n")))
    return escape(fallback[:200])
