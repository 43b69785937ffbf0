"""The Markdown twins and llms.txt over HTTP.

    /faq/<slug>.md, /c/<slug>.md   an entry's or a category's twin (kb/content/twins.py)
    /llms.txt, /llms-full.txt      the whole knowledge base for assistants (kb/pages/llms.py)

The pages serve their twin at their own URL too, to requests that prefer Markdown
(`@markdown_twin`, kb/content/markdown_http.py).

Only published content, whoever asks: staff see drafts on the HTML pages, never here. So every
response is the same for everybody, and is cached as such (`same_for_everyone`). A twin names
its page as canonical in a `Link` header, so search engines index the page, not the twin.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from kb.content import twins
from kb.content.caching import CONTENT_MAX_AGE, same_for_everyone
from kb.content.markdown_http import TEXT_TYPE, markdown_not_found, markdown_response
from kb.content.models import Category, Entry
from kb.pages import llms
from kb.tools.models import ErrorCode


@require_safe
@same_for_everyone()
def entry_markdown(request: HttpRequest, slug: str) -> HttpResponse:
    entry = Entry.objects.published().select_related("category").filter(slug=slug).first()
    if entry is None:
        return markdown_not_found(request, f"There is no published answer called “{slug}”.")
    absolute = request.build_absolute_uri
    return markdown_response(
        twins.entry_markdown(entry, absolute), absolute(entry.get_absolute_url())
    )


@require_safe
@same_for_everyone()
def category_markdown(request: HttpRequest, slug: str) -> HttpResponse:
    category = Category.objects.filter(slug=slug).first()
    entries = Entry.objects.published().in_category(category) if category else Entry.objects.none()
    if not entries.exists():
        return markdown_not_found(request, f"There is no category “{slug}” with published answers.")
    absolute = request.build_absolute_uri
    return markdown_response(
        twins.category_markdown(category, entries, absolute),
        absolute(category.get_absolute_url()),
    )


def _whole_knowledge_base(request: HttpRequest, document: Callable[..., str]) -> HttpResponse:
    text = document(
        Category.objects.with_every_published_entry(),
        ErrorCode.objects.for_pages(),
        request.build_absolute_uri,
    )
    return HttpResponse(text, content_type=TEXT_TYPE)


@require_safe
@same_for_everyone(max_age=CONTENT_MAX_AGE)
def llms_txt(request: HttpRequest) -> HttpResponse:
    return _whole_knowledge_base(request, llms.llms_txt)


@require_safe
@same_for_everyone(max_age=CONTENT_MAX_AGE)
def llms_full_txt(request: HttpRequest) -> HttpResponse:
    return _whole_knowledge_base(request, llms.llms_full_txt)
