"""Markdown twins of entries and categories: /faq/<slug>.md, /c/<slug>.md, and the pages'
URLs with `Accept: text/markdown`."""

import re

import pytest
from django.test import Client

from kb.content.twins import escape_markdown
from kb.models import Category, Entry
from tests.factories import make_category, make_entry
from tests.html import parse_page

MARKDOWN = "text/markdown; charset=utf-8"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

ANSWER_WITH_LINKS = """Read [the other answer](/faq/rate-limit-429/) first, then [this one](other/).

# Steps

1. Open [the docs](https://developers.procore.com/) or [write to us](mailto:a@b.example).
2. See ![the diagram](/static/diagram.png "Diagram") and <a href="/c/oauth/">OAuth</a>.

Sub-step
--------

Code stays as it is: `[not a link](/faq/x/)`

```
curl [x](/faq/y/)
```

[ref]: /faq/access-token-lifetime/ "Reference"
"""


def markdown_links(text: str) -> list[str]:
    return re.findall(r"\]\(<?([^)\s>]+)", text)


# /faq/<slug>.md


def test_every_published_entry_has_a_markdown_twin(client, faq):
    for entry in Entry.objects.published().select_related("category"):
        response = client.get(f"/faq/{entry.slug}.md")
        assert response.status_code == 200, entry.slug
        assert response["Content-Type"] == MARKDOWN
        text = response.content.decode()
        assert text.startswith(f"# {escape_markdown(entry.question)}\n\n"), entry.slug
        # The answer as written, code samples and their fences' languages too: its lines are
        # all there, with the site's own links (/errors/429/) made absolute. The answers'
        # headings are "##", which the twin leaves as they are.
        for line in entry.answer.splitlines():
            assert line.replace("](/", "](http://testserver/") in text, (entry.slug, line)
        assert f"Source: <http://testserver/faq/{entry.slug}/>" in text
        assert f"[{entry.category.name}](http://testserver/c/{entry.category.slug}.md)" in text
        assert response["Link"] == f'<http://testserver/faq/{entry.slug}/>; rel="canonical"'


def test_the_twin_makes_every_link_absolute_and_leaves_code_alone(client, empty_db):
    make_entry(slug="with-links", question="How do links read?", answer=ANSWER_WITH_LINKS)
    text = client.get("/faq/with-links.md").content.decode()
    assert markdown_links(text) == [
        "http://testserver/faq/rate-limit-429/",
        "http://testserver/faq/with-links/other/",  # relative to the page, as a browser reads it
        "https://developers.procore.com/",
        "mailto:a@b.example",
        "http://testserver/static/diagram.png",
        "/faq/x/",  # in a code span
        "/faq/y/",  # in a code block
        "http://testserver/c/testing.md",  # the footer's category
    ]
    assert '<a href="http://testserver/c/oauth/">OAuth</a>' in text
    assert '[ref]: http://testserver/faq/access-token-lifetime/ "Reference"' in text
    assert "`[not a link](/faq/x/)`" in text
    assert "```\ncurl [x](/faq/y/)\n```" in text


def test_the_answer_s_headings_sit_under_the_question(client, db):
    make_entry(slug="with-links", question="How do links read?", answer=ANSWER_WITH_LINKS)
    text = client.get("/faq/with-links.md").content.decode()
    headings = re.findall(r"^#+ .*$", text, re.MULTILINE)
    # The page shows an answer's "#" as <h2>, its one <h1> being the question: so does the twin.
    assert headings == ["# How do links read?", "## Steps", "## Sub-step"]


def test_a_question_s_markdown_characters_stay_text(client, db):
    make_entry(slug="odd", question="Why is *Bearer <token>* [rejected]?")
    text = client.get("/faq/odd.md").content.decode()
    assert text.startswith("# Why is \\*Bearer \\<token\\>\\* \\[rejected\\]?\n")


def test_a_draft_has_no_twin_even_for_staff(client, staff_client, db):
    make_entry(slug="secret-draft", question="Secret?", status=Entry.Status.DRAFT)
    assert Client().get("/faq/secret-draft.md").status_code == 404
    response = staff_client.get("/faq/secret-draft.md")
    assert response.status_code == 404
    assert "Secret?" not in response.content.decode()
    # Staff still see the draft's page, and it announces no twin.
    page = staff_client.get("/faq/secret-draft/")
    assert page.status_code == 200
    assert not [
        link
        for link in parse_page(page.content.decode()).head_links
        if link.get("type") == "text/markdown"
    ]
    negotiated = staff_client.get("/faq/secret-draft/", HTTP_ACCEPT="text/markdown")
    assert negotiated.status_code == 404


def test_an_unknown_twin_is_a_readable_404_pointing_to_llms_txt(client, faq):
    response = client.get("/faq/no-such-entry.md")
    assert response.status_code == 404
    assert response["Content-Type"] == MARKDOWN
    text = response.content.decode()
    assert text.startswith("# Not found\n")
    assert "<http://testserver/llms.txt>" in text
    assert not response.has_header("ETag")


# Content negotiation at the page's URL


@pytest.mark.parametrize(
    ("page", "twin"),
    [("/faq/rate-limit-429/", "/faq/rate-limit-429.md"), ("/c/oauth/", "/c/oauth.md")],
)
def test_the_page_url_serves_the_twin_to_a_request_that_prefers_markdown(client, faq, page, twin):
    for accept in ("text/markdown", "text/markdown, text/html;q=0.9", "text/plain, text/markdown"):
        response = client.get(page, HTTP_ACCEPT=accept)
        assert response["Content-Type"] == MARKDOWN, accept
        assert response.content == client.get(twin).content
        assert "Accept" in response["Vary"]


@pytest.mark.parametrize("accept", [BROWSER_ACCEPT, "*/*", "text/html, text/markdown", None])
def test_browsers_and_everything_else_get_the_html_page(client, faq, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get("/faq/rate-limit-429/", **headers)
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def test_the_page_and_its_twin_never_share_an_etag(client, faq):
    client.get("/faq/rate-limit-429/")  # the CSRF cookie: the next page view gets an ETag
    page = client.get("/faq/rate-limit-429/")
    twin = client.get("/faq/rate-limit-429/", HTTP_ACCEPT="text/markdown")
    assert page["ETag"] and twin["ETag"]
    assert page["ETag"] != twin["ETag"]
    # Each is confirmed with its own validator only.
    assert (
        client.get(
            "/faq/rate-limit-429/", HTTP_ACCEPT="text/markdown", HTTP_IF_NONE_MATCH=page["ETag"]
        ).status_code
        == 200
    )
    assert client.get("/faq/rate-limit-429/", HTTP_IF_NONE_MATCH=twin["ETag"]).status_code == 200


def test_published_pages_announce_their_twin_in_the_head(client, faq):
    for page, twin in [
        ("/faq/rate-limit-429/", "/faq/rate-limit-429.md"),
        ("/c/oauth/", "/c/oauth.md"),
    ]:
        links = parse_page(client.get(page).content.decode()).head_links
        assert {"rel": "alternate", "type": "text/markdown"}.items() <= next(
            link for link in links if link.get("type") == "text/markdown"
        ).items()
        assert [link["href"] for link in links if link.get("type") == "text/markdown"] == [twin]


# /c/<slug>.md


def test_a_category_twin_lists_its_published_questions_as_links_to_their_twins(client, faq):
    oauth = Category.objects.get(slug="oauth")
    make_entry(slug="secret-draft", question="Secret?", category=oauth, status=Entry.Status.DRAFT)
    response = client.get("/c/oauth.md")
    assert response.status_code == 200
    assert response["Content-Type"] == MARKDOWN
    text = response.content.decode()
    assert text.startswith(f"# {oauth.name}\n\n{oauth.description}\n\n")
    items = re.findall(r"^- \[(.+?)\]\((\S+?)\): (.+)$", text, re.MULTILINE)
    published = Entry.objects.published().in_category(oauth)
    assert [(question, url) for question, url, _ in items] == [
        (escape_markdown(entry.question), f"http://testserver/faq/{entry.slug}.md")
        for entry in published
    ]
    assert [summary for _, _, summary in items] == [
        escape_markdown(entry.summary()) for entry in published
    ]
    assert "Secret?" not in text


def test_a_category_without_published_answers_has_no_twin(client, db):
    drafts_only = make_category(name="Drafts only", slug="drafts-only")
    make_entry(slug="secret-draft", category=drafts_only, status=Entry.Status.DRAFT)
    assert client.get("/c/drafts-only.md").status_code == 404
    assert client.get("/c/no-such-category.md").status_code == 404


# Caching


@pytest.mark.parametrize("url", ["/faq/rate-limit-429.md", "/c/rate-limit.md"])
def test_a_twin_answers_a_conditional_request_with_304_until_the_entry_changes(client, faq, url):
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    assert not response.cookies
    etag = response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    entry = Entry.objects.get(slug="rate-limit-429")
    entry.question = "Why do I get 429 Too Many Requests?"
    entry.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "Why do I get 429 Too Many Requests?" in changed.content.decode()


def test_a_twin_is_the_same_for_staff_and_for_everybody_else(staff_client, faq):
    assert (
        staff_client.get("/faq/rate-limit-429.md").content
        == Client().get("/faq/rate-limit-429.md").content
    )
