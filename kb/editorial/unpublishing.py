"""Unpublishing is deliberate: taking a published entry off the site (Status set to Draft in
its form, the list's Unpublish action, deleting it) first shows what disappears with it and
asks to confirm; nothing changes before the confirmation.

What disappears: the entry's page (and its Markdown twin, its place in search, llms.txt and the
feed), the searches that opened it in the last week, the error pages that link to it, and the
published entries whose answers link to it.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils import timezone

from kb.content.models import Entry
from kb.insights.models import SearchRecord
from kb.tools.models import ErrorCode

SEARCH_DAYS = 7
# The form's own confirmation: the button on the confirmation page sends the form again with it.
CONFIRM_FIELD = "_confirm_unpublish"
TEMPLATE = "admin/kb/entry/unpublish_confirmation.html"


@dataclass
class Impact:
    entry: Entry
    searches: int = 0
    error_codes: list[ErrorCode] = field(default_factory=list)
    linking_entries: list[Entry] = field(default_factory=list)


def impact_of(entries, now: datetime | None = None) -> list[Impact]:
    """What goes off the site with each of these entries, the published ones only."""
    since = (now or timezone.now()) - timedelta(days=SEARCH_DAYS)
    impacts = []
    for entry in entries:
        if not entry.is_published:
            continue
        codes = ErrorCode.objects.filter(Q(entries=entry) | Q(messages__entries=entry)).distinct()
        # A link to /faq/<slug>/, relative or absolute, not one to a longer slug.
        link = rf"/faq/{re.escape(entry.slug)}(/|[)#?\s]|$)"
        impacts.append(
            Impact(
                entry=entry,
                searches=SearchRecord.objects.filter(
                    opened_entry=entry, created__gte=since
                ).count(),
                error_codes=list(codes.order_by("code")),
                linking_entries=list(
                    Entry.objects.published()
                    .exclude(pk=entry.pk)
                    .filter(answer__regex=link)
                    .order_by("question")
                ),
            )
        )
    return impacts


class DeliberateUnpublishMixin:
    """For EntryAdmin: the form's Published→Draft, the Unpublish action and deleting each ask
    first, showing the impact."""

    delete_confirmation_template = "admin/kb/entry/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/kb/entry/delete_selected_confirmation.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A draft revision leaves the entry as it is, published.
        confirmed = request.POST.get(CONFIRM_FIELD) == "yes" or "_save_revision" in request.POST
        if request.method == "POST" and object_id is not None and not confirmed:
            entry = self.get_object(request, object_id)
            unpublishing = (
                entry is not None
                and entry.is_published
                and request.POST.get("status") == Entry.Status.DRAFT
                and self.has_change_permission(request, entry)
                # Who may not publish is refused by the form instead (kb.editorial.approval).
                and self.has_publish_permission(request, entry)
            )
            if unpublishing:
                # Everything the form sent, to send again with the confirmation; or again
                # with the status left published, so the other edits are not lost.
                resend = [
                    (name, value)
                    for name, values in request.POST.lists()
                    if name not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
                    for value in values
                ]
                keep = [
                    (name, Entry.Status.PUBLISHED if name == "status" else value)
                    for name, value in resend
                ]
                return self._confirm(request, impact_of([entry]), resend, request.path, keep)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _confirm(self, request, impacts, resend, cancel_url, keep=None) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Unpublish? This takes answers off the site",
            "impacts": impacts,
            "search_days": SEARCH_DAYS,
            "resend": resend,
            "cancel_url": cancel_url,
            "keep_published": keep,
        }
        return TemplateResponse(request, TEMPLATE, context)

    @admin.action(
        description="Unpublish the selected entries (make them drafts)", permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        if request.POST.get("post") != "yes":
            return self._confirm(
                request,
                impact_of(queryset.published().select_related("category")),
                resend=[
                    ("action", "unpublish"),
                    ("post", "yes"),
                    ("select_across", request.POST.get("select_across", "0")),
                    *(
                        (helpers.ACTION_CHECKBOX_NAME, pk)
                        for pk in queryset.values_list("pk", flat=True)
                    ),
                ],
                cancel_url=request.get_full_path(),
            )
        self._set_status(request, queryset, Entry.Status.DRAFT)
        return None

    def render_delete_form(self, request, context):
        entry = context.get("object")
        context["impacts"] = impact_of([entry]) if entry is not None else []
        context["search_days"] = SEARCH_DAYS
        return super().render_delete_form(request, context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            delete, name, description = actions["delete_selected"]

            def delete_selected(modeladmin, request, queryset):
                response = delete(modeladmin, request, queryset)
                # The confirmation page (a response not yet rendered) shows the impact too.
                if isinstance(response, TemplateResponse):
                    response.context_data["impacts"] = impact_of(queryset.published())
                    response.context_data["search_days"] = SEARCH_DAYS
                return response

            actions["delete_selected"] = (delete_selected, name, description)
        return actions
