"""Search says when it has no answer, and corrects only real typos."""

import gzip
import json
from importlib.resources import files

import pytest

from kb import search
from kb.search import english


@pytest.mark.parametrize(
    "query, slug",
    [
        ("my app keeps getting 429 errors", "rate-limit-429"),
        ("how long is a refresh token valid", "refresh-token-lifetime"),
        ("401 unauthorized", "access-token-not-working"),
        ("cors error in a react app", "cors-no-access-control-allow-origin"),
        ("company id header missing", "mpz-company-id-query-parameter"),
    ],
)
def test_a_question_the_faq_answers_is_answered(indexed_faq, query, slug):
    results = search.search(query)
    assert results.hits[0].slug == slug
    assert results.answered is True


@pytest.mark.parametrize(
    "query",
    [
        "which base url do i use for the eu zone",
        "webhook payload signature verification",
        "export daily logs to csv",
        "upload attachments to an rfi",
        "how do i paginate",
        "does the api return dates in utc",
    ],
)
def test_a_question_the_faq_does_not_answer_is_said_to_be_unanswered(indexed_faq, query):
    results = search.search(query)
    assert results.answered is False


def test_words_around_a_question_say_nothing_of_it(indexed_faq):
    """ "how do i" and "api" are in many entries: matching them alone answers nothing."""
    results = search.search("how do i use the api")
    assert results.answered is False


def test_the_api_says_whether_the_first_result_answers(client, indexed_faq):
    answered = client.get("/api/search", {"q": "too many requests"}).json()
    assert answered["answered"] is True
    unanswered = client.get("/api/search", {"q": "graphql schema introspection"}).json()
    assert unanswered["answered"] is False


def test_no_results_is_never_an_answer(indexed_faq):
    results = search.search("zzqx")
    assert results.hits == []
    assert results.answered is False


# Spelling


@pytest.mark.parametrize(
    "query, suggestion",
    [
        ("refresh tokn", "refresh token"),
        ("acess token", "access token"),
        ("ratelimit", "rate limit"),
    ],
)
def test_real_typos_are_still_corrected(indexed_faq, query, suggestion):
    assert search.search(query).suggestion == suggestion


@pytest.mark.parametrize(
    "query",
    ["my sandbox projects are gone", "base", "included", "what timezone are timestamps in"],
)
def test_a_real_word_is_never_corrected(indexed_faq, query):
    results = search.search(query)
    assert results.suggestion is None


@pytest.mark.parametrize(
    "paste",
    ['{"base": "tokn"}', "HTTP/1.1 400 Bad Request tokn", "<includd>tokn</includd>"],
)
def test_nothing_in_a_pasted_body_or_code_is_corrected(indexed_faq, paste):
    assert search.search(paste).suggestion is None


def test_english_words_come_from_the_word_list():
    assert english.is_word("Projects")
    assert not english.is_word("tokn")
    assert english.specificity("the") == 0.0
    assert english.specificity("oauth") == 1.0
    assert 0 < english.specificity("whenever") < 1


def test_the_compact_word_list_knows_every_word_of_pyspellchecker_s_and_no_other():
    raw = files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
    counts = json.loads(gzip.decompress(raw))
    assert all(english.is_word(word) for word in counts)
    # Its neighbours in the sorted list, and words a letter longer or shorter.
    for word in list(counts)[::37]:
        for other in (f"{word}q", f"q{word}", word[:-1], f"{word}'s"):
            assert english.is_word(other) == (other in counts), other
    assert english.is_word("abbé")
    assert not english.is_word("")
