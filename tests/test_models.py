import pytest

from kb.content.markdown import render_markdown
from kb.models import Entry
from tests.factories import make_entry
from tests.html import parse


def test_it_renders_markdown_on_save(db):
    entry = make_entry(answer="Use `Authorization: Bearer <token>` and **refresh** it.")
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in entry.answer_html
    assert "<strong>refresh</strong>" in entry.answer_html


def test_it_rerenders_when_only_the_answer_is_saved(db):
    entry = make_entry()
    entry.answer = "New *answer*"
    entry.save(update_fields=["answer"])
    entry.refresh_from_db()
    assert "<em>answer</em>" in entry.answer_html


def test_it_renders_tables_and_lists():
    html = render_markdown("| a | b |\n| --- | --- |\n| 1 | 2 |\n\n1. one\n2. two\n")
    assert "<table>" in html and "<td>1</td>" in html
    assert "<ol>" in html


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ("<iframe src=https://evil.example></iframe>", "<iframe"),
        ('<p style="background:url(x)" onclick="steal()">hi</p>', "onclick"),
        ("<svg><script>alert(1)</script></svg>", "alert"),
    ],
)
def test_it_removes_unsafe_html(db, markdown, forbidden):
    entry = make_entry(answer=f"Safe text.\n\n{markdown}")
    assert forbidden not in entry.answer_html
    assert "Safe text." in entry.answer_html


def test_wide_code_and_tables_scroll_in_boxes_the_keyboard_can_reach():
    html = render_markdown("```sh\ncurl <pre>\n```\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n")
    # The code's box is the <pre> the keyboard reaches, its language named above it; the code
    # is escaped (and highlighted: Pygments' spans between the words).
    code = parse(html).find("div", cls="code-sample")
    assert code.find("p", cls="code-language").text == "Shell"
    assert code.find("pre").attrs["tabindex"] == "0"
    assert code.find("code").text == "curl <pre>"
    assert "&lt;pre&gt;" in code.markup
    assert '<div class="table-scroll" tabindex="0"><table>' in html
    assert html.rstrip().endswith("</table></div>")


def test_an_authors_own_boxes_and_tabindex_do_not_get_through():
    html = render_markdown(
        '<div class="table-scroll" tabindex="0">x</div> <pre tabindex="5">y</pre>'
    )
    assert "<div" not in html and 'tabindex="5"' not in html


@pytest.mark.parametrize(
    "link",
    [
        '<a class="heading-anchor" href="https://evil.example/login">#</a>',
        '<a class="heading-anchor" href="#answer-x">#</a>',
        '<a class="kb-anchor-0123456789abcdef" href="https://evil.example/">#</a>',
    ],
)
def test_an_authors_link_cannot_take_the_heading_anchor_class(link):
    html = render_markdown(f"## Section\n\nText {link}")
    assert html.count('class="heading-anchor"') == 1  # the heading's own
    assert '<a class="heading-anchor" href="#answer-section"' in html
    assert "kb-anchor-" not in html


@pytest.mark.parametrize(
    "image",
    [
        "![diagram <b>](https://evil.example/track.png)",
        '<img src="//evil.example/track.png" alt="diagram &lt;b&gt;">',
        '<img src="http://evil.example/track.png" alt="diagram &lt;b&gt;">',
        '<img src="data:image/png;base64,AAAA" alt="diagram &lt;b&gt;">',
    ],
)
def test_an_image_from_another_site_is_dropped_and_its_alt_text_kept(image):
    html = render_markdown(f"See {image} here.")
    assert "<img" not in html
    assert "evil.example" not in html
    assert "See diagram &lt;b&gt; here." in html


def test_an_image_from_the_site_itself_stays():
    html = render_markdown('![flow](/static/kb/flow.png) <img alt="a>b" src="/static/kb/b.png">')
    assert '<img alt="flow" src="/static/kb/flow.png">' in html
    assert '<img alt="a&gt;b" src="/static/kb/b.png">' in html


def test_links_keep_safe_schemes_and_get_rel():
    html = render_markdown("[docs](https://developers.procore.com) [mail](mailto:a@b.c)")
    assert 'href="https://developers.procore.com"' in html
    assert 'href="mailto:a@b.c"' in html
    assert 'rel="noopener noreferrer"' in html


def test_published_filter_hides_drafts(empty_db):
    make_entry(slug="public", status=Entry.Status.PUBLISHED)
    make_entry(slug="secret", status=Entry.Status.DRAFT)
    assert list(Entry.objects.published().values_list("slug", flat=True)) == ["public"]


def test_staff_see_drafts_and_visitors_do_not(empty_db, staff_user, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    make_entry(slug="public")
    make_entry(slug="secret", status=Entry.Status.DRAFT)
    assert Entry.objects.visible_to(staff_user).count() == 2
    assert Entry.objects.visible_to(AnonymousUser()).count() == 1
    visitor = django_user_model.objects.create_user("visitor", password="x")
    assert Entry.objects.visible_to(visitor).count() == 1


def test_a_new_entry_is_a_draft_by_default(db):
    entry = make_entry(status=Entry.Status.DRAFT)
    assert not entry.is_published
    assert Entry._meta.get_field("status").default == Entry.Status.DRAFT


def test_symptoms_are_kept_one_per_line(db):
    entry = make_entry(symptoms="  429 \r\n\r\nX-Rate-Limit-Reset\n")
    assert entry.symptom_list == ["429", "X-Rate-Limit-Reset"]
    assert entry.symptoms == "429\nX-Rate-Limit-Reset"


def test_summary_is_plain_text_and_short(db):
    entry = make_entry(answer="**Bold** and [a link](https://x.test). " + "word " * 100)
    summary = entry.summary()
    assert summary.startswith("Bold and a link.")
    assert len(summary) <= 155
    assert summary.endswith("…")


def test_a_top_level_heading_in_an_answer_becomes_a_section_heading():
    html = render_markdown("# Before you start\n\nText.\n\n```\n# not a heading\n```")
    assert html.startswith('<h2 id="answer-before-you-start">Before you start')
    assert "<code># not a heading\n</code>" in html, "code blocks keep their comments"
    assert render_markdown("<h1>Raw</h1>") == "<h2>Raw</h2>"
    assert "<h1" not in html
