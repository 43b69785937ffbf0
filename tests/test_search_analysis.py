"""Analysis word by word (kb.search.analysis.terms_at) gives what Whoosh's analysers give over
the whole text, on the FAQ's answers and on pasted errors; and a stem keeps the written word's
first letters, which snippets rely on to skip sentences."""

import pytest

from kb.models import Entry
from kb.search.analysis import ANALYZER, PLAIN_ANALYZER, terms_at, written_prefix

PASTES = [
    'HTTP/1.1 429 Too Many Requests\nX-Rate-Limit-Reset: 1718200000\n\n{"errors":"limit"}',
    "Access to fetch at 'https://api.procore.com/rest/v1.0/projects' from origin "
    "'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin'",
    "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: "
    "https://sandbox.procore.com/rest/v1.0/me — invalid_grant, token’s expired; naïve café",
]


def texts() -> list[str]:
    return [entry.answer_text for entry in Entry.objects.all()] + PASTES


@pytest.mark.parametrize("stem", [True, False])
def test_word_by_word_analysis_gives_the_analysers_terms_and_places(faq, stem):
    analyzer = ANALYZER if stem else PLAIN_ANALYZER
    for text in texts():
        whole = [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True)]
        assert list(terms_at(text, stem=stem)) == whole


def test_a_term_s_written_prefix_begins_every_word_it_comes_from(faq):
    for text in texts():
        for term, start, end in terms_at(text):
            assert written_prefix(term) in text[start:end].lower(), (term, text[start:end])
