"""Unanswered searches in the admin: the gaps page (/admin/kb/searchrecord/gaps/), grouped
into problems, and the one-click draft from a group."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse

from kb.content.models import Category, Entry
from kb.insights import gaps, search_log
from kb.insights.models import SearchRecord

MAX_QUERIES_PER_DRAFT = 100


class DraftFromGapForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        error_messages={"required": "Choose a category.", "invalid_choice": "Choose a category."},
    )

    def __init__(self, data, queries: list[str]):
        super().__init__(data)
        self.queries = queries

    def clean(self):
        queries = [q for q in (search_log.normalize_query(q) for q in self.queries) if q]
        if not queries:
            raise forms.ValidationError("Choose a group of searches to draft an entry from.")
        if len(self.queries) > MAX_QUERIES_PER_DRAFT or any(
            len(q) > SearchRecord.QUERY_MAX_LENGTH for q in self.queries
        ):
            raise forms.ValidationError("That is not a group of searches from the log.")
        self.cleaned_data["queries"] = queries
        return self.cleaned_data


def can_add_entries(request: HttpRequest) -> bool:
    return request.user.has_perm(f"kb.{get_permission_codename('add', Entry._meta)}")


class GapClustersMixin:
    """For the search insights admin: the gaps page and the draft it makes."""

    def get_urls(self):
        return [
            path("gaps/", self.admin_site.admin_view(self.gaps_view), name="kb_search_gaps"),
            path(
                "gaps/draft/",
                self.admin_site.admin_view(self.draft_from_gap_view),
                name="kb_search_gap_draft",
            ),
            *super().get_urls(),
        ]

    def gaps_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form, days = search_log.period_form(request.GET)
        return self._gaps_page(request, form, days)

    def _gaps_page(self, request, form, days, error: str = "", status: int = 200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Unanswered searches",
            "form": form,
            "days": days,
            "clusters": gaps.clusters(days),
            "categories": Category.objects.all(),
            "can_draft": can_add_entries(request),
            "error": error,
        }
        return render(request, "admin/kb/search_gaps.html", context, status=status)

    def draft_from_gap_view(self, request: HttpRequest) -> HttpResponse:
        # admin_view() has already required an active staff member and checked CSRF.
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_view_permission(request) and can_add_entries(request)):
            raise PermissionDenied
        form = DraftFromGapForm(request.POST, request.POST.getlist("query"))
        if not form.is_valid():
            error = next(iter(form.errors.values()))[0]
            period, days = search_log.period_form(request.POST)
            return self._gaps_page(request, period, days, error=error, status=400)
        entry = gaps.create_draft(
            form.cleaned_data["queries"], form.cleaned_data["category"], request.user
        )
        self.message_user(
            request,
            f"Draft created from {len(entry.symptom_list)} searches, with them as its symptoms. "
            "Write the question and the answer, then publish it.",
            messages.SUCCESS,
        )
        return redirect(reverse("admin:kb_entry_change", args=[entry.pk]))
