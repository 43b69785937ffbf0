"""bench/page_weight.py counts what a browser loads for a page, against a live server."""

from bench.page_weight import measure_page, repeat_view


def test_it_counts_the_html_and_every_asset_the_page_loads_once(live_faq):
    resources = measure_page(live_faq + "/faq/rate-limit-429/")
    paths = [resource.url.removeprefix(live_faq) for resource in resources]
    assert paths == [
        "/faq/rate-limit-429/",
        "/static/favicon.svg",
        "/static/css/site.css",
        "/static/django_htmx/htmx-2.min.js",
        "/static/js/site.js",
        "/static/js/palette.js",
    ]  # not the feed nor the OpenSearch description: a browser does not fetch them
    page = resources[0]
    assert page.status == 200
    assert page.encoding == "gzip"
    assert page.body_bytes < len(page.decoded)
    assert b"I am receiving a 429 status code error" in page.decoded
    assert all(resource.header_bytes > 0 for resource in resources)


def test_it_sees_the_repeat_view_revalidate_with_304(live_faq):
    again = repeat_view(live_faq + "/")
    assert again is not None
    assert again.status == 304
    assert again.body_bytes == 0
