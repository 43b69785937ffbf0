"""/llms.txt (the llms.txt proposal, https://llmstxt.org) and /llms-full.txt."""

import re
from urllib.parse import urlsplit

import pytest

from kb.content.twins import escape_markdown
from kb.models import Category, Entry, ErrorCode
from tests.factories import make_category, make_entry
from tests.html import parse, parse_page

# The proposal's file list item: "- [name](url)", then optionally ": notes".
LINK_ITEM_RE = re.compile(
    r"^- \[(?P<title>(?:\\.|[^\]\\])+)\]\((?P<url>[^)\s]+)\)(?:: (?P<notes>.+))?$"
)


def parse_llms_txt(text: str) -> dict:
    """Read llms.txt the way the proposal lays it out, failing on anything out of place."""
    blocks = text.strip("\n").split("\n\n")
    title = blocks.pop(0)
    assert re.fullmatch(r"# [^\n]+", title), title
    summary = blocks.pop(0)
    assert re.fullmatch(r"> [^\n]+", summary), summary  # one paragraph
    details = []
    while blocks and not blocks[0].startswith("#"):
        details.append(blocks.pop(0))
    sections: dict[str, list[dict]] = {}
    while blocks:
        heading = blocks.pop(0)
        assert re.fullmatch(r"## [^\n]+", heading), heading  # only H2s after the summary
        items = []
        for line in blocks.pop(0).split("\n"):
            match = LINK_ITEM_RE.match(line)
            assert match, line
            items.append(match.groupdict())
        sections[heading[3:]] = items
    return {"title": title[2:], "summary": summary[2:], "details": details, "sections": sections}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver"), url
    return parts.path


# /llms.txt


def test_llms_txt_follows_the_proposal(client, faq):
    response = client.get("/llms.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    document = parse_llms_txt(response.content.decode())
    assert document["title"] == "Procore API knowledge base"
    assert "Procore API" in document["summary"]
    categories = list(Category.objects.with_published_entries())
    assert list(document["sections"]) == [
        *(escape_markdown(category.name) for category in categories),
        "Error codes",
        "Optional",
    ]


def test_each_category_s_section_lists_its_twin_and_its_entries_twins(client, faq):
    document = parse_llms_txt(client.get("/llms.txt").content.decode())
    for category in Category.objects.with_published_entries():
        first, *items = document["sections"][escape_markdown(category.name)]
        assert first["url"] == f"http://testserver/c/{category.slug}.md"
        assert [(item["title"], item["url"], item["notes"]) for item in items] == [
            (
                escape_markdown(entry.question),
                f"http://testserver/faq/{entry.slug}.md",
                escape_markdown(entry.summary()),
            )
            for entry in category.entries.all()
        ]
        assert all("\n" not in item["notes"] for item in items)


def test_the_error_codes_section_lists_every_error_page_s_twin(client, faq):
    document = parse_llms_txt(client.get("/llms.txt").content.decode())
    index, *codes = document["sections"]["Error codes"]
    assert index["url"] == "http://testserver/errors.md"
    assert [(item["title"], item["url"]) for item in codes] == [
        (f"{code.code} {code.name}", f"http://testserver/errors/{code.code}.md")
        for code in ErrorCode.objects.all()
    ]
    optional = [item["url"] for item in document["sections"]["Optional"]]
    assert optional == ["http://testserver/llms-full.txt", "http://testserver/errors.json"]


def test_every_published_entry_category_and_error_page_has_a_twin_listed_there(client, faq):
    document = parse_llms_txt(client.get("/llms.txt").content.decode())
    listed = {path_of(item["url"]) for items in document["sections"].values() for item in items}
    for entry in Entry.objects.published():
        assert f"/faq/{entry.slug}.md" in listed
    for category in Category.objects.with_published_entries():
        assert f"/c/{category.slug}.md" in listed
    for code in ErrorCode.objects.all():
        assert f"/errors/{code.code}.md" in listed
    # …and each answers with what it announces.
    for path in listed:
        response = client.get(path)
        assert response.status_code == 200, path
        expected = "text/markdown" if path.endswith(".md") else ""
        assert response["Content-Type"].startswith(expected), path


def test_drafts_never_appear_in_llms_txt_nor_llms_full_txt(client, faq):
    drafts_only = make_category(name="Drafts only", slug="drafts-only", order=99)
    make_entry(
        slug="secret-draft",
        question="Secret question?",
        answer="A secret answer.",
        category=drafts_only,
        status=Entry.Status.DRAFT,
    )
    Entry.objects.filter(slug="rate-limit-429").update(status=Entry.Status.DRAFT)
    for url in ("/llms.txt", "/llms-full.txt"):
        text = client.get(url).content.decode()
        assert "secret-draft" not in text and "Secret question?" not in text
        assert "A secret answer." not in text
        assert "Drafts only" not in text
        assert "/faq/rate-limit-429" not in text
        assert "I am receiving a 429 status code error" not in text


def test_every_page_links_llms_txt_in_its_head_and_its_footer(client, faq):
    for url in ("/", "/c/oauth/", "/faq/rate-limit-429/", "/tools/", "/errors/429/", "/search/"):
        html = client.get(url).content.decode()
        page = parse_page(html)
        assert {
            "rel": "describedby",
            "type": "text/plain",
            "title": "This knowledge base for coding assistants (llms.txt)",
            "href": "/llms.txt",
        } in page.head_links, url
        footer = parse_page(parse(html).find("footer").markup)
        assert ("/llms.txt", "llms.txt") in footer.links, url


# /llms-full.txt


def test_llms_full_txt_holds_every_published_answer_and_error_code(client, faq):
    response = client.get("/llms-full.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Procore API knowledge base\n\n> ")
    for entry in Entry.objects.published():
        assert f"### {escape_markdown(entry.question)}\n\n" in text, entry.slug
        # Every line of the answer, code samples and their fences' languages too: the site's
        # own links made absolute, and the answer's "##" headings two levels down, under the
        # question's "###".
        for line in entry.answer.splitlines():
            line = re.sub(r"^## ", "#### ", line.replace("](/", "](http://testserver/"))
            assert line in text, (entry.slug, line)
    for code in ErrorCode.objects.all():
        assert f"### {code.code} {code.name}\n\n" in text
    # One H1, a section per category and one for the error codes, then the answers below them.
    assert re.findall(r"^# .*$", text, re.MULTILINE) == ["# Procore API knowledge base"]
    sections = re.findall(r"^## (.*)$", text, re.MULTILINE)
    assert sections == [
        *(escape_markdown(c.name) for c in Category.objects.with_published_entries()),
        "Procore API error codes",
    ]


def test_llms_full_txt_nests_an_answer_s_headings_under_its_question(client, db):
    make_entry(
        slug="steps", question="What are the steps?", answer="# Steps\n\nOne.\n\n### Detail\n\nTwo."
    )
    text = client.get("/llms-full.txt").content.decode()
    # On the page "# Steps" is an <h2> (the question is the <h1>) and "### Detail" an <h3>.
    start = text.index("### What are the steps?")
    assert re.findall(r"^#+ .*$", text[start:], re.MULTILINE)[:3] == [
        "### What are the steps?",
        "#### Steps",
        "##### Detail",
    ]


# Caching


@pytest.mark.parametrize("url", ["/llms.txt", "/llms-full.txt"])
def test_llms_files_are_public_and_answer_conditional_requests(client, faq, url):
    response = client.get(url)
    assert "public" in response["Cache-Control"] and "max-age=900" in response["Cache-Control"]
    assert not response.cookies
    etag = response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    make_entry(slug="brand-new", question="Brand new?", category=Category.objects.get(slug="oauth"))
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "Brand new?" in changed.content.decode()
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("url", ["/llms.txt", "/llms-full.txt"])
def test_the_whole_knowledge_base_takes_a_few_queries_however_many_answers(
    client, faq, django_assert_max_num_queries, url
):
    assert Entry.objects.published().count() > 20
    # A few queries, and one more for the content version the page cache is keyed by.
    with django_assert_max_num_queries(7):
        assert client.get(url).status_code == 200
