"""The support engineers' workflow in the admin: live preview, revision diffs, feedback
counts and reasons, and search insights.

EntryAdmin takes the Entry parts through `EntryWorkflowAdminMixin`; the Feedback and search
insights admins are registered here.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse, reverse_lazy
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from kb import history, insights
from kb.content.markdown import render_markdown
from kb.models import Feedback, SearchRecord

PREVIEW_TEMPLATE = "admin/kb/entry/answer_preview.html"
REASONS_ON_CHANGE_PAGE = 20


class AnswerPreviewWidget(AdminTextareaWidget):
    """The answer textarea with the rendered answer under it, refreshed by HTMX as one types.

    Without JavaScript the panel still shows the answer as last rendered by the server.
    """

    def __init__(self, attrs=None):
        htmx_attrs = {
            "hx-post": reverse_lazy("admin:kb_entry_answer_preview"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#answer-preview",
            "hx-swap": "innerHTML",
            # A slow response must not overwrite a newer one.
            "hx-sync": "this:replace",
            # The enclosing form gives the CSRF token; send nothing else but the answer.
            "hx-params": "answer,csrfmiddlewaretoken",
            "rows": 16,
        }
        super().__init__(attrs={**htmx_attrs, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        panel = render_to_string(PREVIEW_TEMPLATE, {"answer_html": render_markdown(value or "")})
        # Both parts come from Django's escaping renderers; the answer HTML is sanitized.
        return mark_safe(textarea + panel)


class EntryWorkflowAdminMixin:
    """Preview, revision diffs and feedback for EntryAdmin (a SimpleHistoryAdmin)."""

    object_history_template = "admin/kb/entry/object_history.html"
    object_history_form_template = "admin/kb/entry/object_history_form.html"
    # simple-history heads the column with the attribute's name.
    history_list_display = ["compare"]
    feedback_fields = ["feedback_summary"]

    # --- URLs -----------------------------------------------------------------------------

    def get_urls(self):
        # Ahead of the admin's and simple-history's catch-all object URLs, which would
        # otherwise take "preview" and "compare" for an object or revision id.
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.answer_preview_view),
                name="kb_entry_answer_preview",
            ),
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.history_compare_view),
                name="kb_entry_history_compare",
            ),
            *super().get_urls(),
        ]

    # --- Live preview ---------------------------------------------------------------------

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "answer":
            kwargs["widget"] = AnswerPreviewWidget()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def answer_preview_view(self, request: HttpRequest) -> HttpResponse:
        # admin_view() has already required an active staff member and checked CSRF.
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        answer = request.POST.get("answer", "").replace("\r\n", "\n").strip()
        return render(
            request, PREVIEW_TEMPLATE + "#preview", {"answer_html": render_markdown(answer)}
        )

    # --- History: compare two revisions ---------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        revisions = self.model.history.filter(id=unquote(object_id)).select_related("history_user")
        extra_context = {
            "revisions": [(r.history_id, history.revision_label(r)) for r in revisions[:200]],
            "compare_url": reverse("admin:kb_entry_history_compare", args=[object_id]),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context)

    def compare(self, record) -> str:
        previous = record.prev_record
        if previous is None:
            return "first revision"
        url = reverse("admin:kb_entry_history_compare", args=[record.id])
        query = urlencode({"old": previous.history_id, "new": record.history_id})
        return format_html('<a href="{}?{}">compare with previous</a>', url, query)

    def history_compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        entry = self.get_object(request, unquote(object_id))
        if entry is None:
            raise Http404("No such entry.")
        if not self.has_view_history_or_change_history_permission(request, entry):
            raise PermissionDenied
        revisions = list(entry.history.select_related("history_user"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "entry": entry,
            "title": f"Compare revisions: {entry}",
            "revisions": [(r.history_id, history.revision_label(r)) for r in revisions],
            "history_url": reverse("admin:kb_entry_history", args=[entry.pk]),
        }
        if len(revisions) < 2:
            context["error"] = "This entry has only one revision: there is nothing to compare."
            return render(request, "admin/kb/entry/history_compare.html", context)

        by_id = {str(r.history_id): r for r in revisions}
        old = by_id.get(request.GET.get("old", str(revisions[1].history_id)))
        new = by_id.get(request.GET.get("new", str(revisions[0].history_id)))
        if old is None or new is None:
            context["error"] = "Choose two revisions of this entry from the lists."
            return render(request, "admin/kb/entry/history_compare.html", context, status=400)
        if old.history_date > new.history_date:
            old, new = new, old
        context.update(
            old=old,
            new=new,
            old_label=history.revision_label(old),
            new_label=history.revision_label(new),
            comparisons=history.compare_revisions(old, new),
            restore_url=reverse("admin:kb_entry_simple_history", args=[entry.pk, old.history_id]),
        )
        return render(request, "admin/kb/entry/history_compare.html", context)

    # --- Feedback: counts in the list, reasons on the entry's page ------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).with_feedback_counts()

    def get_list_display(self, request):
        return [*super().get_list_display(request), "helpful_votes", "unhelpful_votes"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.feedback_fields]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append(("Was this helpful?", {"fields": self.feedback_fields}))
        return fieldsets

    @admin.display(description="Helpful", ordering="helpful_votes")
    def helpful_votes(self, entry) -> int:
        return entry.helpful_votes

    @admin.display(description="Not helpful", ordering="unhelpful_votes")
    def unhelpful_votes(self, entry) -> str:
        if entry.unhelpful_percent is None:
            return "0"
        return f"{entry.unhelpful_votes} ({entry.unhelpful_percent}%)"

    @admin.display(description="Votes and reasons")
    def feedback_summary(self, entry) -> str:
        if not hasattr(entry, "helpful_votes"):
            # The revert page shows an entry rebuilt from a revision, without the annotations.
            entry = self.model.objects.with_feedback_counts().get(pk=entry.pk)
        helpful, unhelpful = entry.helpful_votes, entry.unhelpful_votes
        if not helpful and not unhelpful:
            return "No votes yet."
        reasons = entry.feedback.with_reason()
        all_url = (
            reverse("admin:kb_feedback_changelist")
            + "?"
            + urlencode({"entry__id__exact": entry.pk})
        )
        items = format_html_join(
            "",
            "<li><time>{}</time>: {}</li>",
            (
                (f"{vote.updated:%Y-%m-%d}", vote.reason)
                for vote in reasons[:REASONS_ON_CHANGE_PAGE]
            ),
        )
        return format_html(
            '<p>{} found it helpful, {} did not.</p>{}<p><a href="{}">All votes on this entry</a>'
            "</p>",
            helpful,
            unhelpful,
            format_html('<ul class="feedback-reasons">{}</ul>', items) if items else "",
            all_url,
        )


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Votes are read-only: they are what visitors said. Abusive ones can be deleted."""

    list_display = ["entry", "helpful", "reason", "updated"]
    list_filter = ["helpful", ("entry", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["entry"]
    search_fields = ["reason", "entry__question"]
    date_hierarchy = "updated"
    fields = ["entry", "helpful", "reason", "created", "updated"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        choices=insights.PERIOD_CHOICES, coerce=int, initial=insights.DEFAULT_PERIOD
    )


@admin.register(SearchRecord)
class SearchInsightsAdmin(admin.ModelAdmin):
    """The "Search insights" page: what the public searched for and did not find."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.GET or None)
        days = form.cleaned_data["days"] if form.is_valid() else insights.DEFAULT_PERIOD
        if not form.is_bound or not form.is_valid():
            form = PeriodForm(initial={"days": days})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Search insights",
            "form": form,
            "days": days,
            "retention_days": settings.KB_SEARCH_LOG_RETENTION_DAYS,
            **insights.insights(days),
        }
        return render(request, "admin/kb/search_insights.html", context)
