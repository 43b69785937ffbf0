"""Proposed symptoms on the entry's admin page: accept or dismiss each with one click.

A plain form per proposal (the page reloads without JavaScript); with htmx the panel is swapped
in place and static/js/admin-review.js adds an accepted symptom to the form's Symptoms box, so
the engineer's unsaved edits stay and a later Save keeps the new symptom.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from kb.content.admin import EntryPanelsMixin
from kb.content.models import Entry
from kb.insights import symptoms
from kb.insights.models import SearchRecord

PANEL_TEMPLATE = "admin/kb/entry/symptom_proposals.html"


class SymptomDecisionForm(forms.Form):
    query = forms.CharField(max_length=SearchRecord.QUERY_MAX_LENGTH, strip=False)
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("dismiss", "Dismiss")])


class SymptomProposalsMixin(EntryPanelsMixin):
    """For EntryAdmin: the proposals panel and the URL its buttons post to."""

    def get_urls(self):
        return [
            path(
                "<path:object_id>/symptoms/",
                self.admin_site.admin_view(self.symptom_decision_view),
                name="kb_entry_symptoms",
            ),
            *super().get_urls(),
        ]

    def panel_context(self, request: HttpRequest, entry: Entry) -> dict:
        return {**super().panel_context(request, entry), **self.proposals_context(request, entry)}

    def proposals_context(self, request: HttpRequest, entry: Entry, **extra) -> dict:
        return {
            "proposals": {
                "entry": entry,
                "items": symptoms.proposals(entry),
                "can_decide": self.has_change_permission(request, entry),
                "url": reverse("admin:kb_entry_symptoms", args=[entry.pk]),
                **extra,
            }
        }

    @method_decorator(require_POST)
    def symptom_decision_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        entry = self.entry_to_change(request, object_id)
        form = SymptomDecisionForm(request.POST)
        if not form.is_valid():
            return self._decision_refused(
                request, entry, "Choose a proposed symptom to accept or dismiss."
            )
        query, decision = form.cleaned_data["query"], form.cleaned_data["decision"]
        if not symptoms.is_proposed(entry, query):
            return self._decision_refused(
                request, entry, f"“{query}” is not proposed for this entry (any more)."
            )
        version_before = entry.version
        if decision == "accept":
            entry = symptoms.accept(entry, query, request.user)
            done = f"“{query}” added to the symptoms; search finds this entry by it now."
        else:
            symptoms.dismiss(entry, query, request.user)
            done = f"“{query}” dismissed; it will not be proposed for this entry again."
        if request.htmx:
            # The form, which the script gives the accepted symptom, takes the entry's new
            # version if it was opened at the one this acceptance changed (kb.editorial.editing).
            context = self.proposals_context(
                request,
                entry,
                done=done,
                accepted=query if decision == "accept" else "",
                accepted_from=version_before,
            )
            return render(request, PANEL_TEMPLATE + "#proposals", context)
        self.message_user(request, done, messages.SUCCESS)
        return redirect(reverse("admin:kb_entry_change", args=[entry.pk]) + "#symptom-proposals")

    def _decision_refused(self, request: HttpRequest, entry: Entry, error: str) -> HttpResponse:
        if request.htmx:
            context = self.proposals_context(request, entry, error=error)
            return render(request, PANEL_TEMPLATE + "#proposals", context, status=400)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Proposed symptoms",
            "entry": entry,
            "error": error,
        }
        return render(request, "admin/kb/entry/review_refused.html", context, status=400)
