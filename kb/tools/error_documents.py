"""What tools and crawlers read of the error codes: each code as JSON, Markdown and JSON-LD,
and the whole set as one JSON document (/errors.json).

The JSON of one code is the same object everywhere (the error-code API, /errors.json), so a
program that reads one reads the other. /errors.json has a version number: its shape only
ever grows, and a change that removes or renames a key would be version 2.

Pure functions of the codes and of `absolute`, which turns a path into an absolute URL
(`request.build_absolute_uri`). The codes come with their published entries and known
messages prefetched (`ErrorCode.objects.for_pages()`): drafts never reach these documents.
"""

import re
from collections.abc import Iterable

from django.urls import reverse

from kb.content.twins import Absolute, entry_markdown_url, escape_markdown, link_item
from kb.tools.models import ErrorCode, KnownErrorMessage

ERRORS_JSON_VERSION = 1
ERROR_SET_NAME = "Procore API error codes"
ISO_SECONDS = "%Y-%m-%dT%H:%M:%SZ"


# --- JSON ----------------------------------------------------------------------------------


def code_json(code: ErrorCode, absolute: Absolute) -> dict:
    """One code as the error-code API and /errors.json describe it."""
    return {
        "code": code.code,
        "name": code.name,
        "meaning": code.meaning,
        "causes": code.cause_list,
        "fixes": code.fix_list,
        "retry": {
            "safe": code.retry,
            "summary": code.get_retry_display(),
            "guidance": code.retry_guidance,
        },
        "entries": [absolute(entry.get_absolute_url()) for entry in code.entries.all()],
        "url": absolute(code.get_absolute_url()),
    }


def message_json(message: KnownErrorMessage, absolute: Absolute) -> dict:
    code = message.error_code
    return {
        "text": message.text,
        "code": code.code if code else None,
        "code_url": absolute(code.get_absolute_url()) if code else None,
        "meaning": message.meaning,
        "entries": [absolute(entry.get_absolute_url()) for entry in message.entries.all()],
    }


def errors_json(
    codes: Iterable[ErrorCode], messages: Iterable[KnownErrorMessage], absolute: Absolute
) -> dict:
    """/errors.json: every code, with its Markdown twin and its messages, and every message."""
    return {
        "version": ERRORS_JSON_VERSION,
        "name": ERROR_SET_NAME,
        "url": absolute(reverse("errors_json")),
        "html_url": absolute(reverse("error_index")),
        "codes": [
            {
                **code_json(code, absolute),
                "markdown_url": absolute(code.get_markdown_url()),
                "messages": [message.text for message in code.messages.all()],
                "updated": code.updated.strftime(ISO_SECONDS),
            }
            for code in codes
        ],
        "messages": [message_json(message, absolute) for message in messages],
    }


# --- Markdown ------------------------------------------------------------------------------


def code_span(text: str) -> str:
    """Literal text as a Markdown code span, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def code_title(code: ErrorCode) -> str:
    return f"{code.code} {code.name}"


def code_markdown(code: ErrorCode, absolute: Absolute, level: int = 1) -> str:
    """The code's page as Markdown, its title a heading of `level`."""
    heading, section = "#" * level, "#" * (level + 1)
    parts = [
        f"{heading} {escape_markdown(code_title(code))}",
        escape_markdown(code.meaning),
        f"{section} Common causes",
        "\n".join(f"- {escape_markdown(cause)}" for cause in code.cause_list),
        f"{section} How to fix it",
        "\n".join(f"- {escape_markdown(fix)}" for fix in code.fix_list),
        f"{section} Is a retry safe?",
        f"**{code.get_retry_display()}.** {escape_markdown(code.retry_guidance)}",
    ]
    if messages := list(code.messages.all()):
        parts.append(f"{section} Messages that come with it")
        parts.append("\n".join(f"- {code_span(message.text)}" for message in messages))
    if entries := list(code.entries.all()):
        parts.append(f"{section} In the FAQ")
        parts.append(
            "\n".join(
                link_item(entry.question, entry_markdown_url(entry, absolute), entry.summary())
                for entry in entries
            )
        )
    parts.append(
        f"Source: <{absolute(code.get_absolute_url())}> · "
        f"Every code: <{absolute(reverse('error_index'))}>"
    )
    return "\n\n".join(parts)


def error_list(codes: Iterable[ErrorCode], absolute: Absolute) -> str:
    """A link to each code's Markdown twin, with its meaning as the description."""
    return "\n".join(
        link_item(code_title(code), absolute(code.get_markdown_url()), code.meaning)
        for code in codes
    )


def error_index_markdown(
    codes: Iterable[ErrorCode], messages: Iterable[KnownErrorMessage], absolute: Absolute
) -> str:
    """/errors/ as Markdown: every code, then every known message and where it leads."""
    parts = [
        f"# {ERROR_SET_NAME}",
        "Every HTTP status code the Procore API documents: what it means, its common causes "
        "and fixes, and whether a retry is safe. The same as one JSON document: "
        f"<{absolute(reverse('errors_json'))}>",
        "## Status codes",
        error_list(codes, absolute),
    ]
    if messages := list(messages):
        parts.append("## Known error messages")
        parts.append("\n".join(_message_item(message, absolute) for message in messages))
    parts.append(f"Source: <{absolute(reverse('error_index'))}>")
    return "\n\n".join(parts)


def _message_item(message: KnownErrorMessage, absolute: Absolute) -> str:
    leads_to = [
        f"[{escape_markdown(entry.question)}]({entry_markdown_url(entry, absolute)})"
        for entry in message.entries.all()
    ]
    if code := message.error_code:
        code_link = f"[{escape_markdown(code_title(code))}]({absolute(code.get_markdown_url())})"
        leads_to.insert(0, code_link)
    return f"- {code_span(message.text)}" + (f": {'; '.join(leads_to)}" if leads_to else "")


# --- JSON-LD -------------------------------------------------------------------------------


def _defined_term(code: ErrorCode, absolute: Absolute) -> dict:
    return {
        "@type": "DefinedTerm",
        "termCode": str(code.code),
        "name": code.name,
        "description": code.meaning,
        "url": absolute(code.get_absolute_url()),
    }


def code_json_ld(code: ErrorCode, absolute: Absolute) -> dict:
    """A code's page: an article about one term of the set of error codes."""
    term = _defined_term(code, absolute)
    term["inDefinedTermSet"] = absolute(reverse("error_index"))
    return {
        "@context": "https://schema.org",
        "@type": "TechArticle",
        "headline": code_title(code),
        "description": code.meaning,
        "url": term["url"],
        "dateModified": code.updated.strftime(ISO_SECONDS),
        "about": term,
    }


def index_json_ld(codes: Iterable[ErrorCode], absolute: Absolute) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "name": ERROR_SET_NAME,
        "url": absolute(reverse("error_index")),
        "hasDefinedTerm": [_defined_term(code, absolute) for code in codes],
    }
