"""The Atom feed of recently updated answers, for readers who follow changes."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from kb.content.models import Entry

FEED_LENGTH = 20


class RecentlyUpdatedFeed(Feed):
    feed_type = Atom1Feed
    title = "Procore API knowledge base: recently updated answers"
    subtitle = "New and changed answers to Procore API integration questions."
    link = reverse_lazy("home")
    feed_url = reverse_lazy("feed")
    # Atom requires an author for the feed or for every entry.
    author_name = "Procore API support"

    def items(self):
        return (
            Entry.objects.published()
            .select_related("category")
            .order_by("-updated", "pk")[:FEED_LENGTH]
        )

    def item_title(self, entry: Entry) -> str:
        return entry.question

    def item_description(self, entry: Entry) -> str:
        # The whole answer, as the page shows it: sanitized when the entry was saved.
        return entry.answer_html

    def item_pubdate(self, entry: Entry):
        return entry.created

    def item_updateddate(self, entry: Entry):
        return entry.updated

    def item_categories(self, entry: Entry) -> list[str]:
        return [entry.category.name]
