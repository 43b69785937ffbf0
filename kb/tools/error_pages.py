"""The error codes' own pages, at addresses that never change.

    /errors/                 every code and every known message; /errors.md is its twin
    /errors/<code>/          one code: meaning, causes, fixes, retry advice, messages, entries
    /errors/<code>.md        its Markdown twin (also the page's URL with Accept: text/markdown)
    /errors.json             every code and message as one JSON document, for tools

A code's URL is its number, so it is the same for as long as the code is documented; a code
that is not (or a path that is not a code at all) answers 404 with a pointer to /errors/.

These pages show only published entries and embed no CSRF token (nothing on them posts), so
they are the same for every visitor: public, with an ETag of the body (`same_for_everyone`).
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from kb.content.caching import CONTENT_MAX_AGE, same_for_everyone
from kb.content.markdown_http import markdown_not_found, markdown_response, markdown_twin
from kb.content.structured_data import json_ld_script
from kb.tools import error_documents
from kb.tools.error_lookup import parse_status_code
from kb.tools.instants import ToolInputError
from kb.tools.models import ErrorCode, KnownErrorMessage

# What an unknown "code" in a URL is shown as: enough to recognise it, not a wall of text.
SHOWN_UNKNOWN_LENGTH = 20


def _status_code(text: str) -> int | None:
    try:
        return parse_status_code(text)
    except ToolInputError:
        return None


def _documented_code(text: str) -> ErrorCode | None:
    number = _status_code(text)
    if number is None:
        return None
    return ErrorCode.objects.for_pages().filter(code=number).first()


def _messages():
    return KnownErrorMessage.objects.with_code_and_published_entries()


def _unknown_code_page(request: HttpRequest, code: str) -> HttpResponse:
    number = _status_code(code)
    context = {
        "code": code[:SHOWN_UNKNOWN_LENGTH],
        "is_status_code": number is not None,
        "nearest": ErrorCode.objects.nearest(number) if number is not None else [],
    }
    return render(request, "tools/error_not_found.html", context, status=404)


# --- Markdown twins ------------------------------------------------------------------------


@require_safe
@same_for_everyone()
def error_index_markdown(request: HttpRequest) -> HttpResponse:
    absolute = request.build_absolute_uri
    text = error_documents.error_index_markdown(ErrorCode.objects.all(), _messages(), absolute)
    return markdown_response(text, absolute(reverse("error_index")))


@require_safe
@same_for_everyone()
def error_markdown(request: HttpRequest, code: str) -> HttpResponse:
    error_code = _documented_code(code)
    absolute = request.build_absolute_uri
    if error_code is None:
        return markdown_not_found(
            request,
            f"“{code[:SHOWN_UNKNOWN_LENGTH]}” is not a status code the Procore API documents. "
            f"Every code it does is at <{absolute(reverse('error_index'))}>.",
        )
    return markdown_response(
        error_documents.code_markdown(error_code, absolute),
        absolute(error_code.get_absolute_url()),
    )


# --- Pages ---------------------------------------------------------------------------------


@require_safe
@markdown_twin(error_index_markdown)
@same_for_everyone()
def error_index(request: HttpRequest) -> HttpResponse:
    codes = list(ErrorCode.objects.all())
    absolute = request.build_absolute_uri
    context = {
        "codes": codes,
        "messages": _messages(),
        "canonical_url": absolute(reverse("error_index")),
        "json_ld": json_ld_script(error_documents.index_json_ld(codes, absolute)),
    }
    return render(request, "tools/error_index.html", context)


@require_safe
@markdown_twin(error_markdown)
@same_for_everyone()
def error_page(request: HttpRequest, code: str) -> HttpResponse:
    error_code = _documented_code(code)
    if error_code is None:
        return _unknown_code_page(request, code)
    absolute = request.build_absolute_uri
    context = {
        "code": error_code,
        "other_codes": ErrorCode.objects.exclude(pk=error_code.pk),
        "canonical_url": absolute(error_code.get_absolute_url()),
        "json_ld": json_ld_script(error_documents.code_json_ld(error_code, absolute)),
    }
    return render(request, "tools/error_page.html", context)


@require_safe
@same_for_everyone(max_age=CONTENT_MAX_AGE)
def errors_json(request: HttpRequest) -> JsonResponse:
    document = error_documents.errors_json(
        ErrorCode.objects.for_pages(), _messages(), request.build_absolute_uri
    )
    # Indented: people open this file too, and it is small.
    return JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
