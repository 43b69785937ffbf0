"""The tools: token-expiry calculator, error-code lookup, sandbox-restore and support answers.

Each page URL serves the full page and, for HTMX, the result fragment of the same template.
Pages take GET (so a link can carry the input) and POST (what the form sends: a pasted token
response or raw response is too long for a URL, and does not belong in access logs).
Every answer is computed from the current time of the request; nothing is ever stored.

So the forms need no CSRF token (a post from another site changes nothing, and its answer is
not readable there), and a tool's page without input is the same for everybody: it is kept in
the page cache and public (`shared_page`, kb/content/caching.py), while an answer is never
stored anywhere (`never_cache`). /tools/ itself says whether support is open now: not cached.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from kb.content.caching import shared_page, time_zone
from kb.content.models import Entry
from kb.tools import error_documents, error_lookup, instants, schedules, tokens
from kb.tools.forms import ErrorLookup, ErrorLookupForm, TimezoneForm, TokenExpiryForm
from kb.tools.models import ErrorCode

RESTORE_ENTRY = "monthly-sandbox-restore"
SUPPORT_ENTRY = "api-support-hours"
# Only a few characters of a long paste make a useful search.
SEARCH_QUERY_LENGTH = 200


def _iso_utc(instant: datetime | None) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_local(instant: datetime | None, tz: str) -> str | None:
    return None if instant is None else instant.astimezone(ZoneInfo(tz)).isoformat()


def _request_data(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


def _fills_browser_timezone(data: QueryDict) -> bool:
    # The browser's zone goes in only when the reader has not chosen one (a link may carry it).
    return not data.get("tz")


def _form_error_json(form) -> JsonResponse:
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    message = " ".join(
        f"{name}: {' '.join(errs)}" if name != "__all__" else " ".join(errs)
        for name, errs in errors.items()
    )
    return JsonResponse({"error": message, "errors": errors}, status=400)


def _render_tool(
    request: HttpRequest, template: str, fragment: str, context: dict, invalid: bool
) -> HttpResponse:
    if request.htmx:
        # Errors are part of the fragment (htmx swaps only 2xx responses), so always 200.
        return render(request, f"{template}#{fragment}", context)
    context["timezone_names"] = instants.timezone_names()
    return render(request, template, context, status=400 if invalid else 200)


# --- /tools/ -----------------------------------------------------------------------------------


@never_cache
@require_safe
def tools_index(request: HttpRequest) -> HttpResponse:
    form = TimezoneForm(request.GET if "tz" in request.GET else None)
    tz = form.cleaned_data["tz"] if form.is_bound and form.is_valid() else "UTC"
    now = timezone.now()
    entries = Entry.objects.published_in_bulk([RESTORE_ENTRY, SUPPORT_ENTRY], field_name="slug")
    context = {
        "form": form,
        "tz": tz,
        "now": now,
        "restore": schedules.next_sandbox_restore(now),
        "support": schedules.support_status(now),
        "restore_entry": entries.get(RESTORE_ENTRY),
        "support_entry": entries.get(SUPPORT_ENTRY),
        "fill_browser_timezone": _fills_browser_timezone(request.GET),
    }
    invalid = form.is_bound and not form.is_valid()
    return _render_tool(request, "tools/index.html", "answers", context, invalid)


# --- Token-expiry calculator -------------------------------------------------------------------


def _token_expiry_answer(form: TokenExpiryForm, now: datetime) -> dict:
    expiry = form.expiry(now)
    steps = tokens.token_next_steps(expiry)
    entries = Entry.objects.published_in_bulk(
        (step.entry_slug for step in steps), field_name="slug"
    )
    return {
        "expiry": expiry,
        "steps": [(step, entries.get(step.entry_slug)) for step in steps],
        "notes": form.cleaned_data["notes"],
        "lifetime_source": form.cleaned_data["lifetime_source"],
    }


@csrf_exempt  # a calculation that stores nothing: see the module doc
@require_http_methods(["GET", "POST"])
@shared_page(query={"tz": time_zone})
@never_cache
def token_expiry(request: HttpRequest) -> HttpResponse:
    data = _request_data(request)
    has_input = any(data.get(name, "").strip() for name in TokenExpiryForm.INPUT_FIELDS)
    # An empty form is a question not yet asked, except when the reader presses the button.
    bound = has_input or (request.method == "POST" and not request.htmx)
    form = TokenExpiryForm(data if bound else None, initial={"tz": data.get("tz") or "UTC"})
    context = {"form": form, "tz": "UTC", "fill_browser_timezone": _fills_browser_timezone(data)}
    if bound and form.is_valid():
        context.update(_token_expiry_answer(form, timezone.now()), tz=form.cleaned_data["tz"])
    invalid = bound and not form.is_valid()
    return _render_tool(request, "tools/token_expiry.html", "result", context, invalid)


# Query strings end up in access logs: a token response (with its tokens) is not taken here.
TOKEN_EXPIRY_API_FIELDS = ("issued_at", "expires_in", "tz")


@never_cache
@require_safe
def token_expiry_api(request: HttpRequest) -> JsonResponse:
    if "token_response" in request.GET:
        return JsonResponse(
            {
                "error": "token_response is not accepted in a URL, where the tokens would end "
                "up in logs: send its created_at as issued_at, and its expires_in."
            },
            status=400,
        )
    data = {name: request.GET[name] for name in TOKEN_EXPIRY_API_FIELDS if name in request.GET}
    form = TokenExpiryForm(data)
    if not form.is_valid():
        return _form_error_json(form)
    tz = form.cleaned_data["tz"]
    answer = _token_expiry_answer(form, timezone.now())
    expiry: tokens.TokenExpiry = answer["expiry"]
    return JsonResponse(
        {
            "issued_at": _iso_utc(expiry.issued_at),
            "expires_at": _iso_utc(expiry.expires_at),
            "expired": expiry.expired,
            "seconds_left": expiry.seconds_left,
            "expires_in": expiry.expires_in,
            "expires_in_source": answer["lifetime_source"],
            "tz": tz,
            "expires_at_local": _iso_local(expiry.expires_at, tz),
            "in_words": expiry.in_words,
            "checked_at": _iso_utc(expiry.now),
            "notes": answer["notes"],
            "next_steps": [
                {
                    "text": step.text,
                    "entry": request.build_absolute_uri(entry.get_absolute_url())
                    if entry
                    else None,
                }
                for step, entry in answer["steps"]
            ],
        }
    )


# --- Error-code lookup -------------------------------------------------------------------------

NOTHING_FOUND = (
    "Found no status code or known error message in this. Type a status code such as 429, "
    "paste the message the API sent, or paste the response's status line and headers."
)


def _search_query(data: QueryDict, lookup: ErrorLookup | None) -> str:
    if lookup is not None and lookup.query.code is not None:
        return str(lookup.query.code)
    return data.get("q", "").strip()[:SEARCH_QUERY_LENGTH]


@csrf_exempt  # a calculation that stores nothing: see the module doc
@require_http_methods(["GET", "POST"])
@shared_page(query={"tz": time_zone})
@never_cache
def error_code_lookup(request: HttpRequest) -> HttpResponse:
    data = _request_data(request)
    typed = data.get("q", "").strip()
    bound = bool(typed) or (request.method == "POST" and not request.htmx)
    form = ErrorLookupForm(data if bound else None, initial={"tz": data.get("tz") or "UTC"})
    lookup = None
    if bound and form.is_valid():
        lookup = form.lookup(timezone.now())
        if not lookup.found_anything:
            form.add_error("q", NOTHING_FOUND)
            lookup = None
    context = {
        "form": form,
        "lookup": lookup,
        "tz": form.cleaned_data.get("tz", "UTC") if bound else "UTC",
        "search_query": _search_query(data, lookup),
        "all_codes": ErrorCode.objects.all() if not bound else [],
        "fill_browser_timezone": _fills_browser_timezone(data),
    }
    invalid = bound and not form.is_valid()
    return _render_tool(request, "tools/error_codes.html", "result", context, invalid)


def _rate_limit_json(info: error_lookup.RateLimitInfo, tz: str) -> dict:
    return {
        "limit": info.limit,
        "remaining": info.remaining,
        "reset_at": _iso_utc(info.reset_at),
        "reset_passed": info.reset_passed,
        "retry_after": info.retry_after,
        "retry_at": _iso_utc(info.retry_at),
        "retry_at_local": _iso_local(info.retry_at, tz),
        "may_retry_now": info.may_retry_now,
        "basis": info.basis,
        "problems": info.problems,
    }


@never_cache
@require_safe
def error_code_api(request: HttpRequest, code: str) -> JsonResponse:
    try:
        number = error_lookup.parse_status_code(code)
    except instants.ToolInputError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    error_code = ErrorCode.objects.with_published_entries().filter(code=number).first()
    if error_code is None:
        nearest = [c.code for c in ErrorCode.objects.nearest(number)]
        return JsonResponse(
            {
                "error": f"{number} is not a status code the Procore API documents.",
                "nearest": nearest,
            },
            status=404,
        )
    return JsonResponse(error_documents.code_json(error_code, request.build_absolute_uri))


@never_cache
@require_safe
def error_codes_api(request: HttpRequest) -> JsonResponse:
    absolute = request.build_absolute_uri
    if "q" not in request.GET:
        codes = ErrorCode.objects.with_published_entries()
        return JsonResponse({"codes": [error_documents.code_json(c, absolute) for c in codes]})
    form = ErrorLookupForm(request.GET)
    if not form.is_valid():
        return _form_error_json(form)
    tz = form.cleaned_data["tz"]
    lookup = form.lookup(timezone.now())
    if not lookup.found_anything:
        return JsonResponse({"error": NOTHING_FOUND}, status=400)
    response = lookup.query.response
    return JsonResponse(
        {
            "query": lookup.query.kind,
            "status": response.status if response else lookup.query.code,
            "codes": [error_documents.code_json(c, absolute) for c in lookup.codes],
            "messages": [error_documents.message_json(m, absolute) for m in lookup.messages],
            "unknown_code": lookup.unknown_code,
            "nearest": [c.code for c in lookup.nearest],
            "rate_limit": _rate_limit_json(lookup.rate_limit, tz) if lookup.rate_limit else None,
        }
    )
