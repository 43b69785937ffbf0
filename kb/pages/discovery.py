"""What crawlers, feed readers and browsers fetch besides the pages: sitemap.xml, robots.txt,
the Atom feed and the OpenSearch description.

None of these responses depends on the visitor or sets a cookie, so shared caches may keep
them (`public`). The sitemap and the feed show the content: they are kept in the page cache
like the pages (`same_for_everyone`, kb/content/caching.py); robots.txt and the OpenSearch
description change only with a deploy, and Django's ConditionalGet logic (`conditional_page`)
derives their ETag from the body. They accept HEAD as
well as GET because crawlers and link checkers send it.
"""

from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import conditional_page, require_safe

from kb.content.caching import CONTENT_MAX_AGE, page_number, same_for_everyone
from kb.pages.feeds import RecentlyUpdatedFeed
from kb.pages.sitemaps import SITEMAPS

# robots.txt and the OpenSearch description only change with a deploy.
FIXED_MAX_AGE = 24 * 60 * 60


@require_safe
@same_for_everyone(max_age=CONTENT_MAX_AGE)
def sitemap_xml(request: HttpRequest) -> HttpResponse:
    """The sitemap index: one sitemap per section, so no file grows with the FAQ past what
    crawlers read (a section of more than `limit` URLs is split into ?p=2, ?p=3…)."""
    return sitemap_views.index(request, sitemaps=SITEMAPS, sitemap_url_name="sitemap_section")


@require_safe
@same_for_everyone(max_age=CONTENT_MAX_AGE, query={"p": page_number})
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS, section=section)


@require_safe
@cache_control(public=True, max_age=FIXED_MAX_AGE)
@conditional_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "kb/robots.txt",
        {"sitemap_url": request.build_absolute_uri(reverse("sitemap"))},
        content_type="text/plain; charset=utf-8",
    )


@require_safe
@same_for_everyone(max_age=CONTENT_MAX_AGE)
def updates_feed(request: HttpRequest) -> HttpResponse:
    return RecentlyUpdatedFeed()(request)


@require_safe
@cache_control(public=True, max_age=FIXED_MAX_AGE)
@conditional_page
def opensearch_description(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "kb/opensearch.xml",
        {
            "search_url": request.build_absolute_uri(reverse("search")),
            "self_url": request.build_absolute_uri(reverse("opensearch")),
        },
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )
