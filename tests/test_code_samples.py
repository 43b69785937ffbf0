"""Answers developers can copy: highlighted code samples, the guides they name linked, and
each answer linked to its error pages (issue 23)."""

import html
import re
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from kb.content.files import read_content
from kb.content.guide_links import GUIDES, unlinked_guide_warnings
from kb.content.markdown import markdown_to_text, render_markdown
from kb.models import Entry
from tests.factories import make_entry
from tests.html import parse

PYTHON_SAMPLE = 'Retry like this:\n\n```python\nimport time\ntime.sleep(2)  # "<wait>"\n```\n'

# The addresses procore-guides.md confirmed from the docs' own permalinks (and the external
# pages the docs themselves link): an answer links nothing else on Procore's sites.
CONFIRMED = {
    *GUIDES.values(),
    "https://developers.procore.com/documentation/oauth-auth-grant-flow#installed-app-variant-no-browser-redirect",
    "https://developers.procore.com/documentation/developer-managed-service-accounts",
    "https://developers.procore.com/documentation/error-reference",
    "https://developers.procore.com/documentation/development-environments",
    "https://developers.procore.com/documentation/development-environments#connection-details",
    "https://developers.procore.com/documentation/oauth-choose-grant-type",
    "https://developers.procore.com/documentation/verification-and-production-access",
    "https://developers.procore.com/documentation/tutorial-user-permissions",
    "https://developers.procore.com/reference/rest/docs/rest-api-overview",
    "https://support.procore.com/faq/what-is-a-service-account",
    "https://support.procore.com/references/user-permissions-matrix-web",
    "https://status.procore.com/",
    "https://learn.procore.com",
    "https://app.procore.com",
    "https://login.procore.com",
}


def test_it_highlights_a_fenced_block_with_token_classes_and_names_its_language():
    page = parse(render_markdown(PYTHON_SAMPLE))
    sample = page.find("div", cls="code-sample")
    assert sample.find("p", cls="code-language").text == "Python"
    code = sample.find("code")
    assert "language-python" in code.classes
    assert [span.text for span in code.find_all("span", cls="kn")] == ["import"]
    assert code.find("span", cls="c1").text == '# "<wait>"'
    # What the copy button copies (the text in <pre>) is the code exactly as written.
    pre = re.search(r"<pre[^>]*>(.*?)</pre>", render_markdown(PYTHON_SAMPLE), re.DOTALL)[1]
    assert html.unescape(re.sub(r"<[^>]+>", "", pre)) == 'import time\ntime.sleep(2)  # "<wait>"\n'


def test_it_never_writes_a_style_attribute_so_the_csp_holds():
    html = render_markdown(PYTHON_SAMPLE + "\n```sh\ncurl -H 'A: b' https://x.example\n```\n")
    assert "style=" not in html
    assert html.count('class="code-sample"') == 2


def test_an_authors_own_styles_and_classes_do_not_get_through():
    html = render_markdown(
        '<span class="k" style="color:red">kept</span> <span class="banner">x</span>\n\n'
        '<p class="code-language">Forged</p>'
    )
    assert "style=" not in html
    assert 'class="k"' in html  # a token class is harmless: it only colours text
    assert "banner" not in html
    assert "code-language" not in html


def test_a_block_without_a_language_or_with_an_unknown_one_stays_plain():
    html = render_markdown("```\nplain <b>\n```\n\n```no-such-language\nzz\n```\n")
    assert "code-sample" not in html
    assert "<span" not in html
    assert "plain &lt;b&gt;" in html


def test_the_plain_text_for_snippets_and_the_index_leaves_code_out():
    text = markdown_to_text("## Retry in Python\n\n" + PYTHON_SAMPLE + "\nThen carry on.")
    assert "Retry in Python" in text
    assert "Then carry on." in text
    assert "import" not in text
    assert "Python\n" not in text.replace("Retry in Python\n", "")


def test_an_entry_page_shows_the_highlighted_sample_and_links_its_error_pages(client, faq):
    page = parse(client.get("/faq/rate-limit-429/").content)
    answer = page.find("div", cls="answer")
    labels = [p.text for p in answer.find_all("p", cls="code-language")]
    assert labels == ["Shell", "Python"]
    hrefs = [link["href"] for link in answer.links]
    assert "/errors/429/" in hrefs
    assert "https://developers.procore.com/documentation/rate-limiting" in hrefs
    sidebar = [link["href"] for link in page.find("aside", cls="sidebar").links]
    assert "/errors/429/" in sidebar
    assert "/errors/503/" in sidebar


def test_an_error_page_links_the_answers_that_explain_it(client, faq):
    hrefs = [link["href"] for link in parse(client.get("/errors/503/").content).links]
    assert "/faq/rate-limit-429/" in hrefs


def test_the_twin_keeps_the_fence_and_its_language(client, faq):
    text = client.get("/faq/rate-limit-429.md").content.decode()
    assert "```python\nimport random\n" in text
    assert "[429 error page](http://testserver/errors/429/)" in text


def test_the_answers_that_need_code_have_it(faq):
    languages = {
        entry.slug: set(re.findall(r"^```(\w+)", entry.answer, re.MULTILINE))
        for entry in Entry.objects.all()
    }
    assert languages["access-token-lifetime"] == {"python"}
    assert languages["refresh-token-lifetime"] == {"sh", "python"}
    assert languages["oauth-without-user-interaction"] == {"sh", "python"}
    assert languages["access-token-not-working"] == {"sh", "python"}
    assert languages["rate-limit-429"] == {"sh", "python"}
    assert languages["cors-no-access-control-allow-origin"] == {"python", "javascript"}
    assert languages["webhooks-change-notifications"] == {"sh"}
    assert languages["monthly-sandbox-restore"] == {"python"}


def test_the_answers_read_the_real_token_lifetime_and_rate_limit_headers(faq):
    lifetime = Entry.objects.get(slug="access-token-lifetime").answer
    assert 'token["created_at"] + token["expires_in"]' in lifetime
    assert "5400" in lifetime
    retry = Entry.objects.get(slug="rate-limit-429").answer
    assert retry.index('"Retry-After"') < retry.index('"X-Rate-Limit-Reset"')
    assert "unforseen" not in Entry.objects.get(slug="refresh-token-invalid").answer


def test_every_guide_an_answer_names_is_linked():
    assert unlinked_guide_warnings(read_content(settings.CONTENT_DIR).entries) == []


def test_answers_link_only_confirmed_addresses_on_procores_sites():
    for entry in read_content(settings.CONTENT_DIR).entries:
        for url in re.findall(r"\]\((https?://[^)\s]+)\)", entry.answer):
            if "procore.com" in url:
                assert url in CONFIRMED, (entry.slug, url)


def test_load_faq_warns_about_a_guide_named_without_its_link(content_dir: Path, db):
    path = content_dir / "entries" / "rate-limit-429.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "[Rate Limiting guide](https://developers.procore.com/documentation/rate-limiting)",
            "Rate Limiting guide",
        ),
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    call_command("load_faq", "--dir", str(content_dir), stdout=out, stderr=err)
    assert "Loaded" in out.getvalue()  # a warning, not an error: the load went ahead
    assert Entry.objects.filter(slug="rate-limit-429").exists()
    assert err.getvalue().strip() == (
        "Warning: rate-limit-429: names 'Rate Limiting guide' without a link to "
        "https://developers.procore.com/documentation/rate-limiting"
    )


def test_load_faq_is_quiet_when_every_guide_is_linked(content_dir: Path, db):
    err = StringIO()
    call_command("load_faq", "--dir", str(content_dir), stdout=StringIO(), stderr=err)
    assert err.getvalue() == ""


def test_a_new_entry_gets_its_code_highlighted_when_saved(empty_db):
    entry = make_entry(slug="with-code", answer=PYTHON_SAMPLE)
    assert 'class="code-sample"' in entry.answer_html
    assert "import" not in entry.answer_text
