"""The home page: each topic with its first few questions and a link to the rest."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import Category, Entry
from kb.pages.views import QUESTIONS_PER_TOPIC
from tests.factories import make_category, make_entry
from tests.html import find_all


def topic_cards(client) -> dict[str, object]:
    html = client.get("/").content.decode()
    return {card.links[0]["text"]: card for card in find_all(html, "section", "category-card")}


def test_it_shows_every_topic_with_its_first_questions_and_a_link_to_the_rest(client, faq):
    cards = topic_cards(client)
    categories = Category.objects.with_published_entries().order_by("order", "name")
    assert list(cards) == [category.name for category in categories]
    for category in categories:
        card = cards[category.name]
        published = Entry.objects.published().in_category(category).order_by("order", "question")
        shown = [link["href"] for link in card.links[1:] if link["href"].startswith("/faq/")]
        expected = [entry.get_absolute_url() for entry in published[:QUESTIONS_PER_TOPIC]]
        assert shown == expected, category.name
        rest = [link for link in card.links if link["text"].startswith("All ")]
        if published.count() > QUESTIONS_PER_TOPIC:
            assert rest == [
                {
                    "href": category.get_absolute_url(),
                    "text": f"All {published.count()} questions in {category.name}",
                }
            ]
        else:
            assert rest == []


def test_a_draft_neither_shows_nor_counts(client, empty_db):
    category = make_category(name="Webhooks")
    for number in range(QUESTIONS_PER_TOPIC + 1):
        make_entry(slug=f"hook-{number}", question=f"Hook {number}?", order=number)
    make_entry(slug="hook-draft", question="Draft hook?", order=0, status=Entry.Status.DRAFT)
    card = topic_cards(client)["Webhooks"]
    assert "Draft hook?" not in card.text
    assert f"All {QUESTIONS_PER_TOPIC + 1} questions" in card.text
    assert category.get_absolute_url() in [link["href"] for link in card.links]


def test_the_first_questions_of_every_topic_come_in_two_queries_whatever_the_size(empty_db):
    """The site will hold 10,000+ entries: only the few shown leave the database."""
    for number in range(3):
        category = make_category(name=f"Topic {number}", order=number)
        for entry in range(12):
            make_entry(
                category=category, slug=f"t{number}-{entry}", question=f"Q {entry}?", order=entry
            )
    with CaptureQueriesContext(connection) as queries:
        categories = list(Category.objects.with_first_entries(2))
    assert [c.name for c in categories] == ["Topic 0", "Topic 1", "Topic 2"]
    assert [c.published_count for c in categories] == [12, 12, 12]
    assert [[e.question for e in c.first_entries] for c in categories] == [["Q 0?", "Q 1?"]] * 3
    assert len(queries) == 2
    assert "ROW_NUMBER()" in queries[1]["sql"]
    assert "answer" not in queries[1]["sql"]
