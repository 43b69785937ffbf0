"""The "Search insights" page: what the public searched for and did not find, with the
unanswered searches grouped on a page of their own (gaps_admin). Registered by kb/support/admin.py,
which adds its self-service score to the page (`sections`)."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from kb.content.admin import ReadOnlyAdminMixin
from kb.insights import search_log
from kb.insights.gaps_admin import GapClustersMixin


class SearchInsightsAdmin(ReadOnlyAdminMixin, GapClustersMixin, admin.ModelAdmin):
    """The search log as a page of figures rather than a list of rows."""

    # Templates shown above the lists, each given the page's context.
    sections: list[str] = []

    def figures(self, days: int) -> dict:
        return search_log.insights(days)

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form, days = search_log.period_form(request.GET)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Search insights",
            "form": form,
            "days": days,
            "retention_days": settings.KB_SEARCH_LOG_RETENTION_DAYS,
            "sections": self.sections,
            **self.figures(days),
        }
        return render(request, "admin/kb/search_insights.html", context)
