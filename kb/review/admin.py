"""Verified answers in the admin: owner and interval on the entry form, the "Mark as verified"
button and bulk action, the due-for-review column, filter and sort, and early reviews asked by
edits of error codes."""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from kb.content.admin import EntryPanelsMixin
from kb.content.models import Entry
from kb.review import verification

PANEL_TEMPLATE = "admin/kb/entry/verification_bar.html"
SOON_DAYS = 30


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("due", "Due for review now"),
            ("soon", f"Due now or within {SOON_DAYS} days"),
            ("asked", "Early review asked"),
            ("never", "Never verified"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "due":
            return queryset.published().filter(review_due__lte=now)
        if value == "soon":
            return queryset.published().filter(review_due__lte=now + timedelta(days=SOON_DAYS))
        if value == "asked":
            return queryset.filter(review_requested__isnull=False)
        if value == "never":
            return queryset.filter(last_verified__isnull=True)
        return queryset


class ResponsibleFilter(admin.SimpleListFilter):
    """Who keeps the entry true: its owner, or its category's default owner when it has none."""

    title = "who keeps it"
    parameter_name = "responsible"
    NOBODY = "nobody"

    def lookups(self, request, model_admin):
        users = (
            get_user_model()
            .objects.filter(
                Q(owned_entries__isnull=False) | Q(default_owned_categories__isnull=False)
            )
            .distinct()
        )
        return [
            *((str(user.pk), user.get_username()) for user in users.order_by("username")),
            (self.NOBODY, "Nobody"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == self.NOBODY:
            return queryset.kept_by(None)
        if not (value.isascii() and value.isdigit() and len(value) <= 18):
            raise IncorrectLookupParameters("Choose someone from the list.")
        return queryset.kept_by(int(value))


class EntryReviewMixin(EntryPanelsMixin):
    """For EntryAdmin: who owns an entry, how often it is checked, and checking it."""

    review_fields = ["owner", "review_interval_days"]

    def get_urls(self):
        # Ahead of the admin's catch-all object URLs.
        return [
            path(
                "<path:object_id>/verify/",
                self.admin_site.admin_view(self.verify_view),
                name="kb_entry_verify",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_review_due()
            .select_related("owner", "category__default_owner")
        )

    def get_list_display(self, request):
        # The owner sits under the date, in the same column, so the list fits 1280 px with its
        # filters beside it.
        return [*super().get_list_display(request), "review_due_column"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), ReviewDueFilter, ResponsibleFilter, "owner"]

    def get_fieldsets(self, request, obj=None):
        return [
            *super().get_fieldsets(request, obj),
            (
                "Review",
                {
                    "fields": self.review_fields,
                    "description": "Who keeps this answer true, and how often it is checked. "
                    "“Mark as verified” at the top of the page records that it still is.",
                },
            ),
        ]

    @admin.display(description="Review due", ordering="review_due")
    def review_due_column(self, entry: Entry) -> str:
        if entry.owner_id:
            owner = entry.owner.get_username()
        elif entry.category.default_owner_id:
            owner = f"{entry.category.default_owner.get_username()} (category)"
        else:
            owner = "no owner"
        return format_html(
            '{}<span class="review-owner">{}</span>', self.review_state(entry), owner
        )

    @staticmethod
    def review_state(entry: Entry) -> str:
        if not entry.is_published:
            return "—"
        if entry.review_requested:
            return format_html(
                '<span class="review-asked" title="{}">Early review asked</span>',
                entry.review_request_note,
            )
        if entry.review_due <= timezone.now():
            return format_html(
                '<span class="review-due">Due since {}</span>', f"{entry.review_due:%Y-%m-%d}"
            )
        return f"{entry.review_due:%Y-%m-%d}"

    @admin.action(description="Mark the selected entries as verified", permissions=["change"])
    def mark_verified(self, request: HttpRequest, queryset) -> None:
        count = verification.verify(queryset, request.user)
        self.message_user(
            request,
            f"{count} entr{'y' if count == 1 else 'ies'} marked as verified.",
            messages.SUCCESS,
        )

    def panel_context(self, request: HttpRequest, entry: Entry) -> dict:
        """What the review bar above the form shows; `entry` comes from get_queryset()."""
        return {
            **super().panel_context(request, entry),
            "review": {
                "entry": entry,
                "state": verification.review_state(entry),
                "is_due": entry.is_published and entry.review_due <= timezone.now(),
                "can_verify": self.has_change_permission(request, entry),
                "verify_url": reverse("admin:kb_entry_verify", args=[entry.pk]),
            },
        }

    @method_decorator(require_POST)
    def verify_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        entry = self.entry_to_change(request, object_id)
        verification.verify([entry], request.user)
        entry = self.get_queryset(request).get(pk=entry.pk)
        if request.htmx:
            return render(
                request, PANEL_TEMPLATE + "#review-bar", self.panel_context(request, entry)
            )
        self.message_user(request, f"“{entry}” marked as verified.", messages.SUCCESS)
        return redirect(reverse("admin:kb_entry_change", args=[entry.pk]))


class ErrorCodeReviewMixin:
    """For ErrorCodeAdmin: editing a code asks for an early review of the entries it links."""

    def save_related(self, request, form, formsets, change):
        before = set(form.initial.get("entries") or [])
        super().save_related(request, form, formsets, change)
        edited = form.has_changed() or any(formset.has_changed() for formset in formsets)
        if change and edited:
            code = form.instance
            linked = {getattr(e, "pk", e) for e in before} | set(
                code.entries.values_list("pk", flat=True)
            )
            Entry.objects.filter(pk__in=linked).flag_for_review(
                f"Error code {code.code} ({code.name}) was edited on "
                f"{timezone.now():%Y-%m-%d} by {request.user}."
            )
