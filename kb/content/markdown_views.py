"""The Markdown twins and llms.txt over HTTP, and the pages' content negotiation.

    /faq/<slug>.md, /c/<slug>.md   an entry's or a category's twin (kb/content/twins.py)
    /llms.txt, /llms-full.txt      the whole knowledge base for assistants (kb/content/llms.py)
    @markdown_twin(view)           on a page's view: a request whose Accept header prefers
                                   text/markdown to text/html gets the twin at the page's URL

Only published content, whoever asks: staff see drafts on the HTML pages, never here. So every
response is the same for everybody, and is cached as such (`same_for_everyone`). A twin names
its page as canonical in a `Link` header, so search engines index the page, not the twin.
"""

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from kb.content import llms, twins
from kb.content.caching import same_for_everyone
from kb.content.discovery import CONTENT_MAX_AGE
from kb.content.models import Category, Entry
from kb.tools.models import ErrorCode

MARKDOWN_TYPE = "text/markdown; charset=utf-8"
# llms.txt is Markdown by content, but a .txt that browsers show rather than download.
TEXT_TYPE = "text/plain; charset=utf-8"


def prefers_markdown(request: HttpRequest) -> bool:
    """Whether the Accept header ranks text/markdown above text/html; a tie goes to HTML."""
    return request.get_preferred_type(["text/html", "text/markdown"]) == "text/markdown"


def markdown_twin(markdown_view: Callable[..., HttpResponse]) -> Callable:
    """Serve `markdown_view` at a page's URL to requests that prefer Markdown (see above)."""

    def decorator(page_view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(page_view)
        def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            chosen = markdown_view if prefers_markdown(request) else page_view
            response = chosen(request, *args, **kwargs)
            # Caches must keep the page and the twin apart; their ETags differ too.
            patch_vary_headers(response, ("Accept",))
            return response

        return view

    return decorator


def markdown_response(text: str, page_url: str) -> HttpResponse:
    response = HttpResponse(text.rstrip("\n") + "\n", content_type=MARKDOWN_TYPE)
    response["Link"] = f'<{page_url}>; rel="canonical"'
    return response


def markdown_not_found(request: HttpRequest, problem: str) -> HttpResponse:
    """A 404 that a program can read, pointing to the list of everything there is."""
    index = request.build_absolute_uri(reverse("llms_txt"))
    text = f"# Not found\n\n{problem}\n\nEvery published answer is listed in <{index}>.\n"
    return HttpResponse(text, content_type=MARKDOWN_TYPE, status=404)


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
