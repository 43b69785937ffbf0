"""Proposed symptoms on the entry's admin page: accept or dismiss each with one click.

A plain form per proposal (the page reloads without JavaScript); with htmx the panel is swapped
in place and static/js/admin-review.js adds an accepted symptom to the form's Symptoms box, so
the engineer's unsaved edits stay and a later Save keeps the new symptom.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse

from kb.content.models import Entry
from kb.editorial import symptoms
from kb.editorial.models import SearchRecord

PANEL_TEMPLATE = "admin/kb/entry/review_panel.html"


class SymptomDecisionForm(forms.Form):
    query = forms.CharField(max_length=SearchRecord.QUERY_MAX_LENGTH, strip=False)
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("dismiss", "Dismiss")])


class SymptomProposalsMixin:
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, unquote(object_id))
        if entry is not None:
            extra_context = {**self.proposals_context(request, entry), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

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

    def symptom_decision_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        # admin_view() has already required an active staff member and checked CSRF.
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        entry = self.get_object(request, unquote(object_id))
        if entry is None:
            raise Http404("No such entry.")
        if not self.has_change_permission(request, entry):
            raise PermissionDenied
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
        if decision == "accept":
            entry = symptoms.accept(entry, query, request.user)
            done = f"“{query}” added to the symptoms; search finds this entry by it now."
        else:
            symptoms.dismiss(entry, query, request.user)
            done = f"“{query}” dismissed; it will not be proposed for this entry again."
        if request.htmx:
            context = self.proposals_context(
                request, entry, done=done, accepted=query if decision == "accept" else ""
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
