"""schema.org FAQPage JSON-LD for category and entry pages.

On an entry's page the answer text is the sanitized answer HTML (`Entry.answer_html`), not
plain text: schema.org's
`Answer.text` may hold HTML and search engines read links, lists and paragraphs in it, and many
answers are a link to the right documentation. It is the same HTML the page shows, already
cleaned by nh3, so the structured data says exactly what the page says. A category's page shows
each question with a one-line summary: its FAQPage says the same, with each question's `url`.

`lastReviewed` (a property of schema.org's WebPage, which FAQPage is) is the date an engineer
last verified the answers: the oldest such date when a page shows several, and absent while any
of them has never been verified, so it never claims more than is true.
"""

import json
from collections.abc import Callable, Iterable

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from kb.content.models import Entry

# The same escapes as Django's json_script filter: a "</script>" or "<!--" inside an answer
# cannot end or confuse the script element, whatever the answer says.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def faq_page(entries: Iterable[Entry], absolute: Callable[[str], str] | None = None) -> dict | None:
    """The FAQPage for the published entries among `entries`; None when there are none.

    With `absolute` (a category's page), each answer is the summary the page shows and the
    question names the entry's own page, where the whole answer is: a page of a large category
    stays small, and says no more than it shows.
    """
    published = [entry for entry in entries if entry.is_published]
    if not published:
        return None
    questions = [
        {
            "@type": "Question",
            "name": entry.question,
            "acceptedAnswer": {"@type": "Answer", "text": entry.answer_html},
        }
        if absolute is None
        else {
            "@type": "Question",
            "name": entry.question,
            "url": absolute(entry.get_absolute_url()),
            "acceptedAnswer": {"@type": "Answer", "text": entry.summary()},
        }
        for entry in published
    ]
    page = {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": questions}
    verified = [entry.last_verified for entry in published]
    if all(verified):
        page["lastReviewed"] = min(verified).date().isoformat()
    return page


def json_ld_script(data: dict | None) -> SafeString:
    if data is None:
        return mark_safe("")
    payload = json.dumps(data, ensure_ascii=True).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


def faq_page_json_ld(
    entries: Iterable[Entry], absolute: Callable[[str], str] | None = None
) -> SafeString:
    """The `<script type="application/ld+json">` for a page; drafts are never included."""
    return json_ld_script(faq_page(entries, absolute))
