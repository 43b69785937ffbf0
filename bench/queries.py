"""The queries the benchmark times: the dev queries plus long pastes, 66 in all.

The 46 dev queries are read at run time from the shared evaluation set
(`../shared/eval/dev_queries.json` next to the checkout, or KB_DEV_QUERIES), which stays
outside the repository so that nothing is tuned to it; without it the benchmark says so and
uses 46 queries of the same kinds kept here (codes, words, typos, messages, JSON bodies, raw
responses). Then 20 pastes: ten kinds of what developers paste (raw HTTP responses with
headers and a JSON body, curl -v output, stack traces, a browser console), each at about 5 KB
and about 20 KB, built deterministically.
"""

import json
import os
import random
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_QUERIES = ROOT.parent / "shared" / "eval" / "dev_queries.json"
PASTE_SIZES = {"paste 5 KB": 5_000, "paste 20 KB": 20_000}
SEED = 66

FALLBACK_QUERIES = [
    "429", "401", "403 forbidden", "invalid_grant", "too many requests", "x-rate-limit-reset",
    "token expired", "how long is an access token valid", "refresh token used twice",
    "refresh token invalid after revoke", "client credentials grant", "login without a browser",
    "blocked by CORS policy", "whitelist my domain for cors", "preflight request failed",
    "App is not connected to this company", "company not connected", "Procore-Company-Id",
    "company id header required", "webhook notifications", "notified when an rfi changes",
    "sandbox down", "sandbox restored every month", "sandbox missing my changes",
    "support email address", "support hours pacific time", "production credentials",
    "go live with my app", "firewall ip addresses", "static ip for procore", "json format",
    "attributes in random order", "postman collection", "test endpoints before coding",
    "deprecated endpoint", "api lifecycle policy", "user permissions", "training on procore tools",
    "endpoint missing from the docs", "what does error 422 mean", "refesh tokn expird",
    "ratelimit", "Missing Procore-Company-Id header!",
    '{"error":"invalid_grant","error_description":"The provided authorization grant is invalid"}',
    'HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer error="invalid_token"\n\n'
    '{"errors":"The access token is invalid"}',
    "Access to fetch at 'https://api.procore.com/rest/v1.0/projects' from origin "
    "'http://localhost:3000' has been blocked by CORS policy",
]  # fmt: skip


def dev_queries(path: Path | None = None) -> tuple[list[dict], str | None]:
    """The dev queries, or the kept ones with a note saying why."""
    path = Path(path or os.environ.get("KB_DEV_QUERIES") or DEV_QUERIES)
    try:
        items = json.loads(path.read_text())["queries"]
        return [{"q": i["q"], "kind": "dev", "expect": i["expect"]} for i in items], None
    except (OSError, ValueError, KeyError, TypeError) as error:
        note = (
            f"the dev queries could not be read from {path} ({error.__class__.__name__}): "
            f"timing {len(FALLBACK_QUERIES)} queries of the same kinds kept in bench/queries.py "
            "instead, and relevance (hit@1) is not measured; set KB_DEV_QUERIES to the file"
        )
        return [{"q": q, "kind": "kept", "expect": []} for q in FALLBACK_QUERIES], note


# ---------------------------------------------------------------------------------------
# Pastes: a top, lines that repeat with variations, and a bottom, grown to a size


def _grow(top: str, line: Callable[[random.Random, int], str], bottom: str, size: int, rng) -> str:
    lines, length, n = [], len(top) + len(bottom) + 2, 0
    while True:
        next_line = line(rng, n)
        if length + len(next_line) + 1 > size:
            break
        lines.append(next_line)
        length += len(next_line) + 1
        n += 1
    return "\n".join([top, *lines, bottom])


def _stamp(rng, n) -> str:
    return f"2025-06-12T14:{n // 60 % 60:02d}:{n % 60:02d}.{rng.randrange(1000):03d}Z"


def _log_line(rng, n) -> str:
    page = n + 1
    return (
        f"{_stamp(rng, n)} INFO procore.sync GET https://api.procore.com/rest/v1.0/projects/"
        f"562949953421312/rfis?page={page}&per_page=100 -> 200 OK "
        f"x-rate-limit-remaining={max(0, 3600 - page)} in {rng.randrange(80, 900)}ms"
    )


def _header_lines(status: str, extra: str) -> str:
    return (
        f"HTTP/1.1 {status}\nDate: Thu, 12 Jun 2025 14:59:59 GMT\n"
        "Content-Type: application/json; charset=utf-8\nConnection: keep-alive\n"
        "Cache-Control: no-cache\nStrict-Transport-Security: max-age=31536000\n"
        "Via: 1.1 vegur\nX-Request-Id: 6f0c2a8e-58d1-4c7b-9e3e-2b1d7c9a0f41\n" + extra
    )


def _raw_429(rng, size):
    bottom = _header_lines(
        "429 Too Many Requests",
        "X-Rate-Limit-Limit: 3600\nX-Rate-Limit-Remaining: 0\nX-Rate-Limit-Reset: 1749743999\n"
        "Retry-After: 61\n\n",
    )
    return _grow(
        "sync log, last hour:", _log_line, bottom + '{"errors":"Limit Exceeded"}', size, rng
    )


def _raw_401(rng, size):
    top = _header_lines(
        "401 Unauthorized", 'WWW-Authenticate: Bearer realm="Procore", error="invalid_token"\n\n'
    )
    return _grow(top + '{"errors":"The access token is invalid"}', _log_line, "", size, rng)


def _record(rng, n) -> str:
    return (
        f'  {{"id": {200000 + n}, "number": "{n + 1}", "subject": "Clarify detail '
        f'{rng.randrange(1, 40)} on sheet A-{rng.randrange(100, 999)}", "status": "open", '
        f'"due_date": "2025-07-{rng.randint(10, 28)}", "assignee_id": {rng.randrange(10**6)}}},'
    )


def _raw_403(rng, size):
    top = _header_lines("403 Forbidden", "\n") + '{"errors":"App is not connected to this company"}'
    return _grow(top + "\n\nthe request body we sent:\n[", _record, "]", size, rng)


def _raw_422(rng, size):
    top = _header_lines("422 Unprocessable Entity", "\n") + (
        '{"errors":{"number":["has already been taken"],"due_date":["can\'t be blank"]}}'
    )
    top += "\n\nPOST /rest/v1.1/projects/562949953421312/submittals body:\n["
    return _grow(top, _record, "]", size, rng)


def _raw_503(rng, size):
    top = "curl https://api-monthly.procore.com/rest/v1.0/companies fails in the monthly sandbox:"
    bottom = _header_lines("503 Service Unavailable", "Retry-After: 120\n\n") + (
        '{"errors":"Service temporarily unavailable"}'
    )
    return _grow(top, _log_line, bottom, size, rng)


def _curl_verbose(rng, size):
    top = (
        "*   Trying 104.18.24.123:443...\n* Connected to api.procore.com port 443\n"
        "* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384\n"
        "> GET /rest/v1.0/projects/562949953421312/rfis/999999 HTTP/2\n> Host: api.procore.com\n"
        "> Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.redacted\n"
        "> Procore-Company-Id: 4264807\n>\n< HTTP/2 404\n< content-type: application/json\n<"
    )

    def tls_line(rng, n):
        return f"* TLSv1.3 (IN), TLS handshake, Newsession Ticket (4): {rng.randrange(10**9):x}"

    return _grow(top, tls_line, '{"errors":"Record not found"}', size, rng)


def _python_traceback(rng, size):
    def frame(rng, n):
        module = rng.choice(["sync/rfis.py", "sync/client.py", "sync/pager.py", "tasks.py"])
        return (
            f'  File "/app/{module}", line {rng.randrange(10, 400)}, in '
            f"{rng.choice(['fetch_page', 'get', 'request', 'run', 'retry'])}\n"
            f"    response = self.session.request(method, url, timeout={rng.randint(5, 60)})"
        )

    bottom = (
        "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: "
        "https://api.procore.com/rest/v1.0/projects?company_id=4264807"
    )
    return _grow("Traceback (most recent call last):", frame, bottom, size, rng)


def _node_axios(rng, size):
    def frame(rng, n):
        return f"    at {rng.choice(['syncProjects', 'fetchPage', 'processTicksAndRejections', 'Axios.request'])} (/srv/app/dist/sync.js:{rng.randrange(1, 900)}:{rng.randrange(1, 80)})"  # noqa: E501

    top = "AxiosError: Request failed with status code 429\n    code: 'ERR_BAD_REQUEST',"
    bottom = "  response: { status: 429, statusText: 'Too Many Requests', data: { errors: 'Limit Exceeded' } }"  # noqa: E501
    return _grow(top, frame, bottom, size, rng)


def _java_stack(rng, size):
    def frame(rng, n):
        cls = rng.choice(["ProcoreClient", "RfiSyncJob", "RetryInterceptor", "RealCall"])
        return f"\tat com.example.procore.{cls}.execute({cls}.java:{rng.randrange(20, 600)})"

    top = (
        "retrofit2.HttpException: HTTP 403 Forbidden\n"
        'Response body: {"errors":"App is not connected to this company"}'
    )
    return _grow(top, frame, "Caused by: java.io.IOException: 403 from api.procore.com", size, rng)


def _browser_console(rng, size):
    def error(rng, n):
        return (
            "Access to fetch at 'https://api.procore.com/rest/v1.0/projects?page="
            f"{n + 1}' from origin 'http://localhost:{rng.choice([3000, 5173, 8080])}' has been "
            "blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the "
            "requested resource."
        )

    return _grow("TypeError: Failed to fetch", error, "net::ERR_FAILED", size, rng)


PASTE_KINDS = [
    _raw_429, _raw_401, _raw_403, _raw_422, _raw_503, _curl_verbose, _python_traceback,
    _node_axios, _java_stack, _browser_console,
]  # fmt: skip


def pastes() -> list[dict]:
    found = []
    for kind, size in PASTE_SIZES.items():
        for make in PASTE_KINDS:
            rng = random.Random(f"{SEED}:{make.__name__}:{size}")
            found.append({"q": make(rng, size), "kind": kind, "expect": []})
    return found


def query_set(dev_path: Path | None = None) -> tuple[list[dict], str | None]:
    """Every query the benchmark times, and a note when the dev queries were missing.

    In a fixed shuffled order, so that a pass cut short by the time budget still mixes short
    queries and pastes as the whole set does.
    """
    queries, note = dev_queries(dev_path)
    queries += pastes()
    random.Random(SEED).shuffle(queries)
    return queries, note
