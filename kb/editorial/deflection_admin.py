"""Escalations in the admin: read-only, each with what the reader had tried."""

from django.contrib import admin

from kb.editorial.models import Escalation


class EscalationAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
