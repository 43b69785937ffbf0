"""Markdown over HTTP: the response, the 404 a program can read, and the pages' content
negotiation. Here rather than with the twin views (kb/pages/markdown_views.py) because the
tools' error pages serve Markdown twins too.

    @markdown_twin(view)   on a page's view: a request whose Accept header prefers
                           text/markdown to text/html gets the twin at the page's URL
"""

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers

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
