"""The server side of the reader's conveniences: heading anchors, the entry page's permalink
and machine-readable date, the hooks site.js needs, and pages htmx restores from history."""

import datetime
import re

import pytest
from django.core.management import call_command

from kb.content.markdown import markdown_to_text, render_markdown
from kb.models import Entry
from tests.factories import make_entry
from tests.html import parse
from tests.htmx import HtmxClient

ANSWER_WITH_SECTIONS = """Start here.

## Send the request

```sh
curl -H "Authorization: Bearer <token>" https://api.procore.com/rest/v1.0/me
```

### Read the answer

Done."""


def test_it_adds_a_visible_anchor_link_to_every_heading():
    html = render_markdown(ANSWER_WITH_SECTIONS)
    assert (
        '<h2 id="answer-send-the-request">Send the request<a class="heading-anchor" '
        'href="#answer-send-the-request" title="Link to this section" '
        'rel="noopener noreferrer">#</a></h2>'
    ) in html
    assert '<h3 id="answer-read-the-answer">Read the answer<a class="heading-anchor" ' in html
    assert html.count('class="heading-anchor"') == 2


def test_each_anchor_points_at_its_own_heading_even_when_headings_repeat():
    html = render_markdown('## Use `<token>` & "quotes"\n\nOne.\n\n## Use `<token>` & "quotes"\n')
    ids = re.findall(r'<h2 id="([^"]+)"', html)
    hrefs = re.findall(r'<a class="heading-anchor" href="#([^"]+)"', html)
    assert len(ids) == 2 and len(set(ids)) == 2
    assert hrefs == ids
    assert "<code>&lt;token&gt;</code>" in html


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ('<a class="copy-button" href="#x">fake button</a>', 'class="copy-button"'),
        ('<a class="heading-anchor huge" href="#x">x</a>', "huge"),
        ('<a href="#x" onclick="steal()">x</a>', "onclick"),
        ('<a href="#x" style="position:fixed;inset:0">x</a>', "style="),
        ('<a href="#x" id="site-search">x</a>', 'id="site-search"'),
        ('<h2 id="x" onmouseover="steal()">Heading</h2>', "onmouseover"),
        ('<h2 class="search-hint">Heading</h2>', "search-hint"),
        ('<a href="javascript:alert(1)" class="heading-anchor">#</a>', "javascript:"),
        ('<p class="heading-anchor">not a link</p>', "<p class"),
    ],
)
def test_the_sanitizer_keeps_the_anchor_class_and_nothing_unsafe(markdown, forbidden):
    html = render_markdown(f"## Section\n\n{markdown}")
    assert forbidden not in html
    assert 'class="heading-anchor" href="#answer-section"' in html


def test_the_plain_text_of_an_answer_has_no_anchor_signs(db):
    entry = make_entry(answer=ANSWER_WITH_SECTIONS)
    assert "#" not in markdown_to_text(ANSWER_WITH_SECTIONS)
    assert "#" not in entry.summary()
    # The headings' text stays; the code sample does not (a summary is prose).
    assert entry.summary() == "Start here. Send the request Read the answer Done."


def test_the_entry_page_links_its_permalink_and_dates_itself_in_utc(client, db):
    entry = make_entry(slug="sections", answer=ANSWER_WITH_SECTIONS)
    Entry.objects.filter(pk=entry.pk).update(
        updated=datetime.datetime(2024, 3, 5, 23, 30, 15, 123456, tzinfo=datetime.UTC)
    )
    html = client.get("/faq/sections/?sq=abc").content.decode()
    assert '<a class="permalink" href="/faq/sections/" rel="bookmark">Permalink</a>' in html
    # An HTML datetime allows at most milliseconds, and browsers parse this form everywhere.
    assert '<time datetime="2024-03-05T23:30:15Z" data-local-date>5 March 2024</time>' in html
    assert 'class="heading-anchor" href="#answer-send-the-request"' in html


def test_what_needs_javascript_is_not_in_the_page_without_it(client, db):
    make_entry(slug="sections", answer=ANSWER_WITH_SECTIONS)
    html = client.get("/faq/sections/").content.decode()
    page = parse(html)
    header_buttons = {id(button) for button in page.find("header").find_all("button")}
    # Copy buttons are made by site.js; the only buttons without it are the feedback form's.
    buttons = [
        button.text for button in page.find_all("button") if id(button) not in header_buttons
    ]
    assert buttons == ["Yes", "No"]
    assert re.search(r'<p class="search-hint" id="search-hint" hidden>Press <kbd>/</kbd>', html)
    assert re.search(r'<script src="/static/js/site\.js" defer></script>', html)
    assert "<script>" not in html  # no inline script


def test_render_answers_adds_anchors_to_answers_rendered_before_them(db):
    entry = make_entry(answer=ANSWER_WITH_SECTIONS)
    old_html = re.sub(r'<a class="heading-anchor"[^>]*>#</a>', "", entry.answer_html)
    Entry.objects.filter(pk=entry.pk).update(answer_html=old_html)
    updated = Entry.objects.get(pk=entry.pk).updated
    revisions = entry.history.count()

    call_command("render_answers")

    entry.refresh_from_db()
    assert entry.answer_html == render_markdown(ANSWER_WITH_SECTIONS)
    assert entry.updated == updated
    assert entry.history.count() == revisions
    assert Entry.objects.rerender_answers() == 0


def test_htmx_restoring_a_search_from_history_gets_the_whole_page(indexed_faq):
    client = HtmxClient()
    response = client.get(
        "/search/?q=429", htmx=True, headers={"HX-History-Restore-Request": "true"}
    )
    restored = response.content.decode()
    live = client.get("/search/?q=429", htmx=True).content.decode()
    assert "HX-History-Restore-Request" in response["Vary"]
    assert restored.startswith("<!doctype html>") and 'id="site-search"' in restored
    assert "429 status code" in restored
    assert 'id="site-search"' not in live and "429 status code" in live
