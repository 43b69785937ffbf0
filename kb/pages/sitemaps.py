"""sitemap.xml: an index of sections (the home page, every category with published entries,
every published entry, and the error pages: kb/tools/sitemaps.py), each its own file, the
entries in files of at most ENTRIES_PER_FILE."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from kb.content.models import Category, Entry
from kb.tools.sitemaps import ErrorCodeSitemap, ErrorIndexSitemap


class HomeSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["home"]

    def location(self, item: str) -> str:
        return reverse(item)


class CategorySitemap(Sitemap):
    def items(self):
        published = Q(entries__status=Entry.Status.PUBLISHED)
        # The annotation groups by category, so each appears once, and gives its lastmod.
        return (
            Category.objects.filter(published)
            .annotate(latest_update=Max("entries__updated", filter=published))
            .order_by("order", "name")
        )

    def lastmod(self, category: Category):
        return category.latest_update


# Crawlers read up to 50,000 URLs a file; smaller files are quicker to make and to fetch again.
ENTRIES_PER_FILE = 5000


class EntrySitemap(Sitemap):
    limit = ENTRIES_PER_FILE

    def items(self):
        return (
            Entry.objects.published()
            .only("slug", "updated")
            .order_by("category__order", "order", "question")
        )

    def get_latest_lastmod(self):
        # For the index: one aggregate, not every entry.
        return Entry.objects.published().aggregate(latest=Max("updated"))["latest"]

    def lastmod(self, entry: Entry):
        return entry.updated


SITEMAPS = {
    "home": HomeSitemap,
    "categories": CategorySitemap,
    "entries": EntrySitemap,
    "errors": ErrorIndexSitemap,
    "error-codes": ErrorCodeSitemap,
}
