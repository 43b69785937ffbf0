"""Support in the admin: escalations, read-only, each with what the reader had tried; and the
search insights page with the self-service score beside the searches."""

from django.contrib import admin

from kb.content.admin import ReadOnlyAdminMixin
from kb.insights.admin import SearchInsightsAdmin
from kb.insights.models import SearchRecord
from kb.support import deflection
from kb.support.models import Escalation


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What readers had tried before they wrote to API support. Kept as it was recorded."""

    list_display = ["created", "channel", "entry", "searched", "vote"]
    list_filter = ["channel", "vote", ("entry", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["entry", "search"]
    date_hierarchy = "created"
    fields = ["created", "channel", "entry", "searched", "vote"]
    readonly_fields = fields

    @admin.display(description="Last search")
    def searched(self, escalation: Escalation) -> str:
        return escalation.search.query if escalation.search else "—"


# The page belongs to insights and the score to support, which reads the search log: so the
# page is registered here, where both are known, rather than insights importing support.
@admin.register(SearchRecord)
class SearchInsightsWithScoreAdmin(SearchInsightsAdmin):
    """The search insights page, and how many readers the answers helped."""

    sections = ["admin/kb/_self_service.html"]

    def figures(self, days: int) -> dict:
        return {**super().figures(days), **deflection.figures(days)}
