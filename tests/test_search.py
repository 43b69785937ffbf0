"""The search engine itself: relevance, query safety, typos, freshness and the index's life."""

import shutil
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from kb import search
from kb.models import Category, Entry, Synonym
from kb.search import index as search_index
from kb.search import query as search_query
from kb.search import spelling
from tests.factories import make_entry

RAW_429 = """HTTP/1.1 429 Too Many Requests
Date: Sat, 28 Nov 2026 15:04:05 GMT
Content-Type: application/json; charset=utf-8
X-Rate-Limit-Limit: 3600
X-Rate-Limit-Remaining: 0
X-Rate-Limit-Reset: 1795880000
Retry-After: 120

{"errors":"Too many requests"}"""

INVALID_GRANT = (
    '{"error":"invalid_grant","error_description":"The provided authorization grant is '
    "invalid, expired, revoked, does not match the redirection URI used in the authorization "
    'request, or was issued to another client."}'
)

SYMPTOMS = {
    "429": "rate-limit-429",
    RAW_429: "rate-limit-429",
    INVALID_GRANT: "refresh-token-invalid",
    "403 forbidden App is not connected to this company": "app-not-connected-403",
    "No 'Access-Control-Allow-Origin' header is present on the requested resource.": (
        "cors-no-access-control-allow-origin"
    ),
    "Access to fetch at 'https://api.procore.com/rest/v1.0/me' from origin "
    "'http://localhost:3000' has been blocked by CORS policy": (
        "cors-no-access-control-allow-origin"
    ),
    "Missing Procore-Company-Id header!": "mpz-company-id-query-parameter",
    "401 Unauthorized": "access-token-not-working",
    "X-Rate-Limit-Reset": "rate-limit-429",
    "login.procore.com": "browser-redirects-to-integration",
    "does the refresh token expire": "refresh-token-lifetime",
    "postman": "testing-api-calls",
}


@pytest.mark.parametrize("query", SYMPTOMS.keys(), ids=lambda q: q[:40])
def test_it_puts_the_entry_that_resolves_a_symptom_first(indexed_faq, query):
    results = search.search(query)
    assert results.hits, query
    assert results.hits[0].slug == SYMPTOMS[query]


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("x-rate-limit-reset", "rate-limit-429"),
        ("rate limit reset", "rate-limit-429"),
        ("invalid_grant", "refresh-token-invalid"),
        ("invalid grant", "refresh-token-invalid"),
        ("Procore-Company-Id", "mpz-company-id-query-parameter"),
        ("procore company id", "mpz-company-id-query-parameter"),
        ("client_id", "request-production-access"),
    ],
)
def test_compound_tokens_match_whole_or_in_parts(indexed_faq, query, slug):
    assert search.search(query).hits[0].slug == slug


def test_it_corrects_typos_and_suggests_the_spelling(indexed_faq):
    results = search.search("refesh tokn invalid")
    assert results.hits[0].slug == "refresh-token-invalid"
    assert results.suggestion == "refresh token invalid"


@pytest.mark.parametrize("query", ["kubernetes helm chart", "terraform helm", "kubernetes webhoks"])
def test_a_correction_is_not_made_when_most_of_the_query_stays_unknown(indexed_faq, query):
    """`helm` is one letter from `help`, but the words around it say it is spelt right and is
    about something the knowledge base does not cover: "help" would only find unrelated
    entries."""
    results = search.search(query)
    assert (results.suggestion, results.total) == (None, 0)


def test_words_the_index_does_not_know_are_reported(indexed_faq):
    results = search.search("kubernetes refresh token")
    assert results.unknown_words == ["kubernetes"]
    assert results.hits[0].slug == "refresh-token-lifetime"


def test_a_query_of_only_misspelled_words_is_answered_for_the_suggestion(indexed_faq):
    results = search.search("webhoks")
    assert results.suggestion == "webhooks"
    assert results.corrected
    assert results.hits[0].slug == "webhooks-change-notifications"


def test_words_written_together_are_split(indexed_faq):
    results = search.search("ratelimit")
    assert results.suggestion == "rate limit"
    assert results.hits[0].slug == "rate-limit-429"


def test_a_star_does_not_match_everything(indexed_faq):
    assert search.search("*").total == 0
    assert search.search("*:*").total == 0


def test_not_does_not_negate(indexed_faq):
    results = search.search("NOT rate limit")
    assert results.hits[0].slug == "rate-limit-429"


@pytest.mark.parametrize(
    "query",
    [
        'question:"unbalanced',
        "(((",
        "[a TO z]",
        "rate AND OR NOT",
        "token~2 refresh^5",
        "{}[]:\\/\"'",
        "\x00\x01",
        "\u202e\ud7ff",
        "🙂" * 100,
    ],
)
def test_query_syntax_is_treated_as_text(indexed_faq, query):
    results = search.search(query)
    assert results.query == query.strip()[: search_query.MAX_INPUT_CHARS]


def test_a_20kb_paste_is_cut_and_still_answered(indexed_faq):
    paste = RAW_429 + "\n" + ("X-Request-Id: 0f1e2d3c4b5a69788796a5b4c3d2e1f0\n" * 500)
    assert len(paste) > 20_000
    results = search.search(paste)
    assert results.hits[0].slug == "rate-limit-429"


def test_results_carry_a_highlighted_escaped_snippet(indexed_faq):
    hit = search.search("refresh token revoked").hits[0]
    assert hit.slug == "refresh-token-invalid"
    assert "<mark" in hit.snippet and "revoke" in hit.snippet.lower()
    assert hit.category == "OAuth 2.0 Authentication"
    assert hit.url == "/faq/refresh-token-invalid/"


def test_a_snippet_is_the_answers_best_sentence_not_a_list_of_symptoms(indexed_faq):
    hit = search.search("refresh token one time use").hits[0]
    assert hit.slug == "refresh-token-invalid"
    assert str(hit.snippet) == (
        "Keep in mind that <mark>refresh</mark> <mark>tokens</mark> are for "
        "<mark>one</mark>-<mark>time</mark> <mark>use</mark> only."
    )


def test_without_a_matching_sentence_the_snippet_is_the_answers_first(indexed_faq):
    # "quota" is in the symptoms, not in the question or the answer.
    hit = search.search("quota").hits[0]
    assert hit.slug == "rate-limit-429"
    assert str(hit.snippet) == (
        "You have exceeded the Procore API rate limit of 3600 requests per hour."
    )


def test_synonyms_find_an_entry_but_are_not_marked(indexed_faq):
    # "throttled" is a synonym of "rate limit": the answer is found, its words not marked.
    hit = search.search("throttled").hits[0]
    assert hit.slug == "rate-limit-429"
    assert "<mark>" not in hit.snippet


def test_a_long_sentence_is_cut_around_the_first_word_searched_for(db):
    filler = " ".join(f"word{n}" for n in range(80))
    make_entry(answer=f"First sentence. {filler} zebrafish {filler}.")
    search.rebuild()
    snippet = str(search.search("zebrafish").hits[0].snippet)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>zebrafish</mark>" in snippet
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) <= 222


def test_snippets_escape_the_stored_text(db):
    make_entry(slug="html", question="Why <b>bold</b>?", answer="Send `<script>` tokens")
    search.rebuild()
    hit = search.search("script tokens").hits[0]
    assert "<script>" not in hit.snippet
    assert "Send &lt;" in hit.snippet


def test_drafts_never_appear(faq):
    make_entry(slug="draft", question="Zanzibar draft?", status=Entry.Status.DRAFT)
    search.rebuild()
    assert search.search("zanzibar").total == 0


def test_an_unpublished_entry_is_hidden_even_before_the_index_hears_of_it(indexed_faq):
    Entry.objects.filter(slug="rate-limit-429").update(status=Entry.Status.DRAFT)
    assert "rate-limit-429" not in [h.slug for h in search.search("429").hits]


def test_synonyms_maintained_by_engineers_widen_a_search(indexed_faq):
    # Asked before the synonym exists: its (empty) answer is kept, and must not outlive it.
    assert search.search("quokka").total == 0
    Synonym.objects.create(terms="quokka, webhooks")
    assert search.search("quokka").hits[0].slug == "webhooks-change-notifications"


def test_a_synonym_of_an_identifier_finds_the_entries_that_name_it(indexed_faq):
    # invalid_grant is one word of the index (and its parts): the synonym must not ask for
    # "invalid_grant invalid grant" in a row, which no answer has.
    Synonym.objects.create(terms="quokkagrant, invalid_grant")
    assert search.search("quokkagrant").hits[0].slug == "refresh-token-invalid"


def test_a_synonym_is_never_corrected_into_a_word_of_the_answers(indexed_faq):
    # "webhooks" is in the answers, one letter away from the engineer's "webhoops".
    Synonym.objects.create(terms="webhoops, rate limit")
    results = search.search("webhoops")
    assert results.suggestion is None
    assert results.hits[0].slug == "rate-limit-429"


def test_saving_an_entry_updates_the_index_after_commit(
    indexed_faq, django_capture_on_commit_callbacks
):
    entry = Entry.objects.get(slug="what-is-json")
    with django_capture_on_commit_callbacks(execute=True):
        entry.symptoms += "\nflibbertigibbet"
        entry.save()
    assert search.search("flibbertigibbet").hits[0].slug == "what-is-json"

    with django_capture_on_commit_callbacks(execute=True):
        entry.status = Entry.Status.DRAFT
        entry.save()
    assert search.search("flibbertigibbet").total == 0

    with django_capture_on_commit_callbacks(execute=True):
        entry.status = Entry.Status.PUBLISHED
        entry.save()
    assert search.search("flibbertigibbet").total == 1

    with django_capture_on_commit_callbacks(execute=True):
        entry.delete()
    assert search.search("flibbertigibbet").total == 0


def test_renaming_a_category_reindexes_its_entries(indexed_faq, django_capture_on_commit_callbacks):
    category = Category.objects.get(slug="webhooks")
    with django_capture_on_commit_callbacks(execute=True):
        category.name = "Snarkhunting"
        category.save()
    assert search.search("snarkhunting").hits[0].category == "Snarkhunting"


def test_nothing_is_written_when_the_transaction_rolls_back(indexed_faq):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        make_entry(slug="rolled-back", question="Jabberwocky?")
        raise RuntimeError
    assert search.search("jabberwocky").total == 0


def test_a_missing_index_is_rebuilt_from_the_database(indexed_faq):
    shutil.rmtree(settings.KB_INDEX_DIR)
    assert search.search("429").hits[0].slug == "rate-limit-429"
    assert (Path(settings.KB_INDEX_DIR) / "current").exists()


def test_a_corrupt_index_is_rebuilt_and_search_keeps_answering(indexed_faq):
    search.search("429")  # open a searcher on the index first
    current = Path(settings.KB_INDEX_DIR, "current").resolve()
    for path in current.iterdir():
        path.write_bytes(b"\x00garbage" * 10)
    search_index.searcher_cache.close()
    assert search.search("429").hits[0].slug == "rate-limit-429"
    assert Path(settings.KB_INDEX_DIR, "current").resolve() != current


def test_a_rebuild_swaps_in_a_new_generation_and_keeps_one_old(indexed_faq):
    first = Path(settings.KB_INDEX_DIR, "current").resolve()
    second = search.rebuild()
    third = search.rebuild()
    assert Path(settings.KB_INDEX_DIR, "current").resolve() == third
    generations = sorted(p.name for p in Path(settings.KB_INDEX_DIR).glob("gen-*"))
    assert generations == sorted([second.name, third.name])
    assert not first.exists()


def test_searches_keep_answering_during_rebuilds(transactional_db):
    from kb.faq import load_faq

    load_faq(settings.CONTENT_DIR)
    errors, answers = [], []

    def keep_searching():
        try:
            for _ in range(40):
                answers.append(search.search("invalid_grant").hits[0].slug)
        except Exception as exc:  # the test reports any failure below
            errors.append(exc)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=keep_searching) for _ in range(3)]
    for thread in threads:
        thread.start()
    for _ in range(5):
        search.rebuild()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(answers) == {"refresh-token-invalid"}
    assert len(answers) == 120


def test_concurrent_writers_never_lose_an_update(transactional_db):
    from kb.faq import load_faq

    load_faq(settings.CONTENT_DIR)
    slugs = list(Entry.objects.values_list("slug", flat=True)[:8])
    errors = []

    def save(slug: str, word: str):
        try:
            entry = Entry.objects.get(slug=slug)
            entry.symptoms += f"\n{word}"
            entry.save()  # outside a transaction: indexed right after the save commits
        except Exception as exc:
            errors.append(exc)
        finally:
            from django.db import connection

            connection.close()

    words = {slug: f"zqx{chr(97 + n)}marker" for n, slug in enumerate(slugs)}
    threads = [threading.Thread(target=save, args=(s, w)) for s, w in words.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for slug, word in words.items():
        assert [h.slug for h in search.search(word).hits] == [slug], word


def test_the_search_command_prints_ranked_results(indexed_faq, capsys):
    call_command("search", "invalid_grant", "--limit", "2")
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(" 1.")
    assert "My refresh token is not working" in out.splitlines()[0]


def test_the_rebuild_command_builds_the_index(faq, capsys):
    call_command("rebuild_index")
    assert "Search index rebuilt" in capsys.readouterr().out
    assert search.search("429").hits[0].slug == "rate-limit-429"


def test_search_answers_from_the_database_when_the_index_cannot_be_built(indexed_faq):
    root = Path(settings.KB_INDEX_DIR)
    shutil.rmtree(root)
    root.write_text("a file where the index folder should be")  # nothing can be written
    search_index.searcher_cache.close()
    results = search.search("Missing Procore-Company-Id header!")
    assert results.hits[0].slug == "mpz-company-id-query-parameter"


def test_routine_headers_in_a_pasted_response_do_not_steer_the_search(indexed_faq):
    paste = (
        "HTTP/1.1 400 Bad Request\nContent-Type: application/json; charset=utf-8\n"
        "Date: Sat, 28 Nov 2026 15:04:05 GMT\n\n"
        '{"errors":"Missing Procore-Company-Id header!"}'
    )
    slugs = [hit.slug for hit in search.search(paste).hits]
    assert slugs[0] == "mpz-company-id-query-parameter"
    assert "what-is-json" not in slugs[:3]


def test_words_inside_urls_count_for_less_than_the_message(indexed_faq):
    paste = (
        "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: "
        "https://api.procore.com/rest/v1.0/projects?company_id=562949953421312"
    )
    assert search.search(paste).hits[0].slug == "access-token-not-working"
    # A URL alone still finds what it is about.
    assert search.search("https://login.procore.com").hits[0].slug == (
        "browser-redirects-to-integration"
    )


def test_typo_correction_leaves_long_nonsense_words_alone(indexed_faq):
    """Eight 475-letter words once cost seconds of fuzzy matching: long words are not typos."""
    nonsense = " ".join("qwzx" * 119 for _ in range(8))
    results = search.search(nonsense)
    assert results.suggestion is None
    assert results.total == 0
    with search_index.searcher_cache.searcher_for_request() as searcher:
        assert spelling.check(searcher, "webhoks").corrections == {"webhoks": "webhooks"}
        # One letter past the bound: a typo of a long word is left as typed.
        assert spelling.check(searcher, "webhoksauthorizations").corrections == {}


def test_a_database_restored_from_an_older_backup_makes_the_node_rebuild(indexed_faq, settings):
    from kb.search import changes, sync
    from kb.search.models import SearchChange, SearchChangeCounter

    settings.KB_INDEX_CHECK_SECONDS = 0  # look before every search
    entry = Entry.objects.get(slug="what-is-json")
    at_backup, symptoms = changes.latest(), entry.symptoms
    entry.symptoms += "\nzqxlostmarker"
    entry.save()  # after the backup was taken
    sync.apply_changes(wait=1)
    assert search.search("zqxlostmarker").hits[0].slug == "what-is-json"
    generation = search_index.current_generation()

    # The restore: the database as it was when the backup was taken, change log included.
    Entry.objects.filter(pk=entry.pk).update(symptoms=symptoms)
    SearchChange.objects.filter(seq__gt=at_backup).delete()
    SearchChangeCounter.objects.update(seq=at_backup)
    assert sync.status()["current"] is False  # /healthz says "behind", not "current"

    assert search.search("zqxlostmarker").total == 0
    assert search_index.current_generation() != generation
    # The next edit gets the number the lost one had: the rebuilt index takes it.
    entry.refresh_from_db()
    entry.symptoms += "\nzqxafterrestore"
    entry.save()
    sync.apply_changes(wait=1)
    assert search.search("zqxafterrestore").hits[0].slug == "what-is-json"


def test_the_change_log_is_pruned_and_a_node_older_than_it_rebuilds(indexed_faq):
    from datetime import timedelta

    from django.utils import timezone

    from kb.search import changes, sync
    from kb.search.models import SearchChange

    generation = search_index.current_generation()
    entry = Entry.objects.get(slug="what-is-json")
    entry.symptoms += "\nzqxprunedmarker"
    entry.save()  # logged, not yet applied (its transaction is the test's)
    SearchChange.objects.update(created=timezone.now() - timedelta(days=30))
    call_command("prune_search_changes", "--days", "7", verbosity=0)
    assert not SearchChange.objects.exists()
    assert changes.latest() > search_index.applied_change(generation)
    # The log no longer says what the index lacks: the node rebuilds from the database.
    sync.follow_changes()
    assert search_index.current_generation() != generation
    assert search.search("zqxprunedmarker").hits[0].slug == "what-is-json"
