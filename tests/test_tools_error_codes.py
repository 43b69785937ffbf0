"""The error-code lookup: its page (with and without htmx), its JSON API and its admin."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import Entry, ErrorCode, KnownErrorMessage
from tests.factories import RESPONSE_429, make_error_code, make_known_message
from tests.html import find_all, parse

URL = "/tools/error-codes/"
API = "/api/error-codes"


@pytest.fixture
def at_10_utc(time_machine):
    time_machine.move_to(datetime(2025, 3, 4, 10, 0, 30, tzinfo=UTC), tick=False)


def result_of(response) -> str:
    return parse(response.content).find("section", id="lookup-result").markup


def q_errors(response) -> str:
    return parse(response.content).find("div", id="id_q_error").markup


def test_the_page_lists_every_code_it_explains(client, faq):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Error-code lookup</h1>" in html
    for code in ErrorCode.objects.all():
        assert f'href="/errors/{code.code}/"' in html
    assert "data-fill-browser-timezone" in html


def test_a_status_code_shows_its_name_meaning_causes_fixes_retry_and_entries(client, faq):
    response = client.post(URL, {"q": "429"})
    result = result_of(response)
    assert response.status_code == 200
    assert '<span class="code-number">429</span> Too Many Requests' in result
    assert "Limit Exceeded: the app has made too many requests" in result
    assert "<h3>Common causes</h3>" in result and "Polling for changes" in result
    assert "<h3>How to fix it</h3>" in result and "Watch X-Rate-Limit-Remaining" in result
    assert "<strong>Retry only after waiting.</strong>" in result
    assert 'href="/faq/rate-limit-429/"' in result
    assert "Paste the whole 429 response, headers included" in result


def test_a_link_with_the_code_works_too(client, faq):
    result = result_of(client.get(URL, {"q": "503"}))
    assert "Service Unavailable" in result
    assert "<strong>Retry only after waiting.</strong>" in result


@pytest.mark.parametrize(
    ("message", "code", "entry"),
    [
        ("App is not connected to this company", 403, "app-not-connected-403"),
        ('{"errors":"Missing Procore-Company-Id header!"}', None, "mpz-company-id-query-parameter"),
        ("The refresh token is invalid", None, "refresh-token-invalid"),
        ('{"error":"invalid_grant"}', 400, "refresh-token-invalid"),
        ("Error: the access token is invalid.", 401, "access-token-not-working"),
    ],
)
def test_a_pasted_message_finds_the_known_message_its_code_and_entries(
    client, faq, message, code, entry
):
    result = result_of(client.post(URL, {"q": message}))
    assert "Known message:" in result
    assert f'href="/faq/{entry}/"' in result
    if code:
        assert f'<span class="code-number">{code}</span>' in result
        assert f'<a href="/errors/{code}/">' in result
    else:
        assert 'class="code-number"' not in result


def test_a_pasted_429_response_says_when_to_retry_in_the_readers_timezone(client, faq, at_10_utc):
    result = result_of(client.post(URL, {"q": RESPONSE_429, "tz": "Europe/Paris"}))
    assert "Read as a response: <strong>HTTP/1.1 429 Too Many Requests</strong>" in result
    assert "<strong>Retry at 11:10:00 CET</strong> on Tue 4 Mar 2025 (Europe/Paris)" in result
    assert "in 9 minutes. That is 10:10:00 UTC." in result
    assert "From X-Rate-Limit-Reset" in result
    assert "3600 requests in the window" in result and "0 left" in result
    assert "Known message:" in result, "the body is the documented 429 message"
    assert result.count('<span class="code-number">429</span>') == 1


def test_retry_after_counts_from_the_responses_date(client, faq, at_10_utc):
    pasted = RESPONSE_429.replace("X-Rate-Limit-Remaining: 0", "Retry-After: 120")
    result = result_of(client.post(URL, {"q": pasted, "tz": "America/Los_Angeles"}))
    assert "<strong>Retry at 02:02:00 PST</strong>" in result
    assert "Retry-After: 120 seconds after the response" in result


def test_a_wait_that_is_over_says_retry_now(client, faq, time_machine):
    time_machine.move_to(datetime(2025, 3, 4, 12, tzinfo=UTC), tick=False)
    result = result_of(client.post(URL, {"q": RESPONSE_429}))
    assert "<strong>You may retry now.</strong>" in result
    assert "1 hour, 50 minutes ago" in result


def test_a_response_of_another_status_shows_its_code_and_rate_limit_without_retry_advice(
    client, faq
):
    pasted = "HTTP/2 403\nx-rate-limit-remaining: 3512\n\nApp is not connected to this company"
    result = result_of(client.post(URL, {"q": pasted}))
    assert '<span class="code-number">403</span> Forbidden' in result
    assert "3512 left" in result
    assert "Retry at" not in result and "You may retry now" not in result


def test_an_unknown_code_says_so_and_offers_the_nearest_codes_and_a_search(client, faq):
    response = client.post(URL, {"q": "418"})
    result = result_of(response)
    assert response.status_code == 200
    assert "418</span> is not a code the Procore API documents" in result
    assert '<a href="/errors/422/">422 Unprocessable Entity</a>' in result
    assert '<a href="/errors/409/">409 Conflict</a>' in result
    assert '<a href="/search/?q=418">Search the knowledge base for “418”</a>' in result


def test_codes_and_messages_come_from_the_database(client, faq):
    teapot = make_error_code(code=418, name="Teapot")
    make_known_message(text="Short and stout", error_code=teapot)
    assert "418</span> Teapot" in result_of(client.post(URL, {"q": "418"}))
    result = result_of(client.post(URL, {"q": "I'm a little teapot, short and stout"}))
    assert "Known message: “Short and stout”" in result
    assert "The server refuses to brew coffee." in result


def test_a_success_code_is_called_a_success(client, faq):
    result = result_of(client.post(URL, {"q": "HTTP/1.1 204 No Content"}))
    assert "A 2xx status means the request succeeded." in result


def test_htmx_answers_as_you_type_with_a_fragment(client, faq):
    response = client.post(URL, {"q": "The refresh tok"}, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="lookup-result"')
    assert "<html" not in html
    assert "Known message: “The refresh token is invalid”" in html
    assert 'id="id_q_error" aria-live="polite" hx-swap-oob="true"></div>' in html


def test_htmx_with_the_box_cleared_lists_the_codes_again(client, faq):
    response = client.post(URL, {"q": "  "}, htmx=True)
    assert response.status_code == 200
    assert "The codes we explain" in response.content.decode()
    assert 'class="field-error"' not in response.content.decode()


BAD_INPUT = {
    "a code with four digits": ("4290", "“4290” is not an HTTP status code"),
    "letters": ("abc", "Found no status code or known error message"),
    "a status line without a code": (
        "HTTP/1.1 Too Many Requests\nRetry-After: 30",
        "looks like a status line but has no three-digit status code",
    ),
    "a 50 KB paste": ("x" * 50_000, "That is 50000 characters; the lookup is at most 20000."),
    "nothing": ("", "Enter a status code, an error message or a raw response."),
}


@pytest.mark.parametrize("case", BAD_INPUT.keys())
def test_bad_input_is_explained_next_to_the_box_and_nothing_is_stored(case, client, faq):
    text, message = BAD_INPUT[case]
    before = list(ErrorCode.objects.values_list("code", "name", "updated"))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, {"q": text})
    assert response.status_code == 400
    assert message in q_errors(response)
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert list(ErrorCode.objects.values_list("code", "name", "updated")) == before


def test_input_that_matches_nothing_offers_a_search(client, faq):
    result = result_of(client.post(URL, {"q": "abc"}))
    assert '<a href="/search/?q=abc">Search the knowledge base for “abc”</a>' in result


def test_an_unknown_timezone_is_explained(client, faq):
    response = client.post(URL, {"q": "429", "tz": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    assert "is not a timezone we know" in response.content.decode()


@pytest.mark.parametrize("case", [c for c in BAD_INPUT if c != "nothing"])
def test_bad_input_is_explained_to_htmx_too(case, client, faq):
    text, message = BAD_INPUT[case]
    response = client.post(URL, {"q": text}, htmx=True)
    assert response.status_code == 200
    assert message in q_errors(response)
    assert 'id="id_q_error" aria-live="polite" hx-swap-oob="true"' in response.content.decode()


# --- The API ---


def test_the_api_describes_a_code(client, faq):
    response = client.get(f"{API}/429")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 429
    assert body["name"] == "Too Many Requests"
    assert body["meaning"].startswith("Limit Exceeded")
    assert "Polling for changes instead of using webhooks" in body["causes"]
    assert len(body["fixes"]) == 3
    assert body["retry"]["safe"] == "after-wait"
    assert body["retry"]["guidance"].startswith("Yes, once the wait is over")
    assert "http://testserver/faq/rate-limit-429/" in body["entries"]
    assert body["url"] == "http://testserver/errors/429/"


def test_the_api_lists_only_published_entries(client, faq):
    Entry.objects.filter(slug="rate-limit-429").update(status=Entry.Status.DRAFT)
    body = client.get(f"{API}/429").json()
    assert body["entries"] == ["http://testserver/faq/webhooks-change-notifications/"]
    assert "rate-limit-429" not in result_of(client.post(URL, {"q": "429"}))


def test_the_api_says_404_for_a_code_it_does_not_know(client, faq):
    response = client.get(f"{API}/418")
    assert response.status_code == 404
    assert response.json() == {
        "error": "418 is not a status code the Procore API documents.",
        "nearest": [422, 409, 429],
    }


@pytest.mark.parametrize("code", ["4290", "abc", "42", "-429", "4" * 5000])
def test_the_api_says_400_for_what_is_not_a_status_code(client, faq, code):
    response = client.get(f"{API}/{code}")
    assert response.status_code == 400
    assert "is not an HTTP status code" in response.json()["error"]


def test_the_api_lists_every_code_without_a_query(client, faq):
    body = client.get(API).json()
    assert [c["code"] for c in body["codes"]] == list(
        ErrorCode.objects.values_list("code", flat=True)
    )


def test_the_api_finds_the_codes_in_pasted_text(client, faq):
    body = client.get(API, {"q": "App is not connected to this company"}).json()
    assert [c["code"] for c in body["codes"]] == [403]
    assert body["messages"][0]["text"] == "App is not connected to this company"
    assert body["messages"][0]["code"] == 403
    assert body["messages"][0]["entries"] == ["http://testserver/faq/app-not-connected-403/"]


def test_the_api_reads_a_pasted_response_and_its_rate_limit(client, faq, at_10_utc):
    body = client.get(API, {"q": RESPONSE_429, "tz": "Europe/Paris"}).json()
    assert body["query"] == "response"
    assert body["status"] == 429
    assert [c["code"] for c in body["codes"]] == [429]
    assert body["rate_limit"]["retry_at"] == "2025-03-04T10:10:00Z"
    assert body["rate_limit"]["retry_at_local"] == "2025-03-04T11:10:00+01:00"
    assert body["rate_limit"]["may_retry_now"] is False
    assert body["rate_limit"]["remaining"] == 0


def test_the_api_reports_an_unknown_code_in_a_query_with_the_nearest(client, faq):
    body = client.get(API, {"q": "HTTP/1.1 504 Gateway Timeout"}).json()
    assert body["codes"] == []
    assert body["unknown_code"] == 504
    assert body["nearest"] == [503, 502, 500]


@pytest.mark.parametrize("case", BAD_INPUT.keys())
def test_the_api_answers_bad_queries_with_400(case, client, faq):
    text, message = BAD_INPUT[case]
    response = client.get(API, {"q": text})
    assert response.status_code == 400
    assert message in response.json()["error"]


# --- The admin ---


def test_an_engineer_edits_a_code_and_the_lookup_shows_it(staff_client, faq):
    code = ErrorCode.objects.get(code=409)
    html = staff_client.get("/admin/kb/errorcode/").content.decode()
    for column in ("Code", "Name", "Retry", "Known messages"):
        assert column in html
    form = staff_client.get(f"/admin/kb/errorcode/{code.pk}/change/").content.decode()
    assert "One per line: the common causes." in form
    response = staff_client.post(
        f"/admin/kb/errorcode/{code.pk}/change/",
        {
            "code": 409,
            "name": "Conflict",
            "meaning": "Somebody got there first.",
            "causes": "A duplicate\r\n\r\nA race",
            "fixes": "Look it up first",
            "retry": "fix-first",
            "retry_guidance": "Not unchanged.",
            "entries": [Entry.objects.get(slug="what-is-json").pk],
            "version": code.version,
            "messages-TOTAL_FORMS": "1",
            "messages-INITIAL_FORMS": "0",
            "messages-0-text": "Record already exists",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    code.refresh_from_db()
    assert code.cause_list == ["A duplicate", "A race"]
    assert code.history.count() == 2
    result = result_of(staff_client.post(URL, {"q": "record already exists"}))
    assert "Somebody got there first." in result
    assert 'href="/faq/what-is-json/"' in result


def test_the_admin_refuses_a_code_that_is_not_a_status_code(staff_client, faq):
    response = staff_client.post(
        "/admin/kb/errorcode/add/",
        {
            "code": 4290,
            "name": "Bad",
            "meaning": "x",
            "causes": "x",
            "fixes": "x",
            "retry": "safe",
            "retry_guidance": "x",
            "messages-TOTAL_FORMS": "0",
            "messages-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 599." in response.content.decode()
    assert not ErrorCode.objects.filter(code=4290).exists()


def test_the_known_message_admin_lists_messages_with_their_codes(staff_client, faq):
    html = staff_client.get("/admin/kb/knownerrormessage/").content.decode()
    assert "App is not connected to this company" in html
    assert "By error code" in html
    assert KnownErrorMessage.objects.count() >= 4


def test_invalid_grant_comes_with_its_status_code_and_what_it_means(client, faq):
    html = client.post(URL, {"q": '{"error":"invalid_grant"}'}).content.decode()
    card = find_all(html, "article", "message-card")[0]
    assert "It comes with 400 Bad Request." in card.text
    assert "The OAuth token endpoint refused the grant sent to it." in card.text
    assert find_all(html, "article", id="code-400")
    body = client.get(API, {"q": "invalid_grant"}).json()
    assert body["messages"][0]["code"] == 400
    assert body["messages"][0]["meaning"].startswith("The OAuth token endpoint refused")


def test_every_known_message_says_what_it_means(faq):
    assert not KnownErrorMessage.objects.filter(meaning="").exists()
