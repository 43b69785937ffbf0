"""The error pages' sections of sitemap.xml: /errors/ and every code's page."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from kb.tools.models import ErrorCode


class ErrorIndexSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["error_index"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str):
        return ErrorCode.objects.aggregate(latest=Max("updated"))["latest"]


class ErrorCodeSitemap(Sitemap):
    def items(self):
        return ErrorCode.objects.order_by("code")

    def lastmod(self, code: ErrorCode):
        return code.updated
