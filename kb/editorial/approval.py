"""Review before publishing, switched on per site (settings.KB_REVIEW_BEFORE_PUBLISHING).

Publishing is a permission of its own ("Can publish entries", kb.publish_entry), apart from
changing. With review on, an engineer who may change entries but not publish them prepares
changes without making any of them public: they save draft revisions of published entries and
ask for review, and write new entries as drafts. The server refuses, whatever the request says:
making a draft published, saving straight into a published entry (the form, a revert from the
history, accepting a proposed symptom), unpublishing or deleting a published entry, the list's
Publish and Unpublish actions, publishing a revision and sending one back. With review off,
whoever may change entries may publish them, as before.

A revision's way (EntryRevision.State): draft, then waiting for review (asked from the form's
"Ask for review", with an optional note), then either approved (published exactly as
"Publish the revision" does: history, search index, page cache; the history names the author
and who asked) or sent back with the reviewer's comment, shown to the author above the form
until they ask again. Approving or sending back carries the revision's version the reviewer
saw: a revision changed since is refused, as a revision drafted from an older entry is.

The reviewers' queue is on the admin home (kb.editorial.home) and in the entry list's
"draft revision" filter; the daily digest (kb.review.verification) lists what waits.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from kb.content.locking import StaleEdit
from kb.content.models import Entry, may_publish
from kb.editorial.models import EntryRevision
from kb.editorial.revisions import SAVE_REVISION, EntryForm, revision_or_404, saving_revision
from kb.review.verification import WaitingRevision

# The value of the form's "Ask for review" button: a revision save that also asks.
ASK_FOR_REVIEW = "ask"
NOTE_FIELD = "review_note"

NOT_WITHOUT_REVIEW = (
    "Not saved: this entry is published, and changes to published entries are reviewed "
    "before they go live. Save your change as a draft revision, or ask for review."
)
NOT_PUBLISHED_WITHOUT_PERMISSION = (
    "Only engineers who may publish entries make one public: keep it a draft; someone who "
    "may publish will publish it."
)


class ReviewedEntryForm(EntryForm):
    may_publish = True  # set per request by ReviewBeforePublishingMixin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if self.may_publish or status is None or self.instance.is_published:
            return
        # A draft, or a new entry, stays a draft: only the choice that can be saved is offered.
        status.choices = [(Entry.Status.DRAFT, Entry.Status.DRAFT.label)]
        status.help_text = NOT_PUBLISHED_WITHOUT_PERMISSION

    def clean(self):
        cleaned = super().clean()
        if self.may_publish or self.saving_revision:
            return cleaned
        stored = (
            Entry.objects.filter(pk=self.instance.pk).values_list("status", flat=True).first()
            if self.instance.pk is not None
            else None
        )
        if stored == Entry.Status.PUBLISHED:
            raise ValidationError(NOT_WITHOUT_REVIEW, code="review_required")
        if cleaned.get("status") == Entry.Status.PUBLISHED:
            self.add_error("status", ValidationError(NOT_PUBLISHED_WITHOUT_PERMISSION))
        return cleaned


class SendBackForm(forms.Form):
    comment = forms.CharField(max_length=EntryRevision.NOTE_MAX_LENGTH, strip=True)
    revision_version = forms.IntegerField(min_value=1)


class RevisionStateFilter(admin.SimpleListFilter):
    title = "draft revision"
    parameter_name = "revision"

    def lookups(self, request, model_admin):
        return [
            (EntryRevision.State.WAITING, "Waiting for review"),
            (EntryRevision.State.SENT_BACK, "Sent back"),
            ("any", "Any pending revision"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "any":
            return queryset.filter(pending_revision__isnull=False)
        if value in (EntryRevision.State.WAITING, EntryRevision.State.SENT_BACK):
            return queryset.filter(pending_revision__state=value)
        return queryset


def asking_for_review(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(SAVE_REVISION) == ASK_FOR_REVIEW


class ReviewBeforePublishingMixin:
    """For EntryAdmin, ahead of DraftRevisionMixin and DeliberateUnpublishMixin: who may
    publish, asking for review, approving and sending back."""

    form = ReviewedEntryForm

    def has_publish_permission(self, request: HttpRequest, obj=None) -> bool:
        """Also the permission the list's Publish and Unpublish actions ask for."""
        return self.has_change_permission(request, obj) and may_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published and not may_publish(request.user):
            return False
        return super().has_delete_permission(request, obj)

    def revert_disabled(self, request, obj=None):
        # `obj` is the revision to go back to; what matters is whether the entry is live now.
        live = obj is not None and Entry.objects.published().filter(pk=obj.pk).exists()
        if live and not may_publish(request.user):
            return True
        return super().revert_disabled(request, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revision/send-back/",
                self.admin_site.admin_view(self.send_back_revision_view),
                name="kb_entry_send_back_revision",
            ),
            *super().get_urls(),
        ]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), RevisionStateFilter]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.may_publish = may_publish(request.user)
        return form

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions and not may_publish(request.user):
            delete, name, description = actions["delete_selected"]

            def delete_selected(modeladmin, request, queryset):
                if queryset.published().exists():
                    modeladmin.message_user(
                        request,
                        "Nothing deleted: deleting a published entry takes it off the site, "
                        "which only engineers who may publish do. Select drafts only.",
                        messages.ERROR,
                    )
                    return None
                return delete(modeladmin, request, queryset)

            actions["delete_selected"] = (delete_selected, name, description)
        return actions

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        context = {
            "review_before_publishing": settings.KB_REVIEW_BEFORE_PUBLISHING,
            "may_publish": may_publish(request.user),
            "note_max_length": EntryRevision.NOTE_MAX_LENGTH,
        }
        if object_id is not None and not context["may_publish"]:
            entry = self.get_object(request, unquote(object_id))
            if entry is not None and entry.is_published:
                # Only a draft revision or a request for review is offered.
                context.update(
                    show_save=False,
                    show_save_and_continue=False,
                    show_save_and_add_another=False,
                    show_delete=False,
                )
        return super().changeform_view(
            request, object_id, form_url, {**context, **(extra_context or {})}
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.saving_revision and asking_for_review(request):
            note = request.POST.get(NOTE_FIELD, "").strip()[: EntryRevision.NOTE_MAX_LENGTH]
            revision = EntryRevision.objects.get(entry=obj.pk)
            revision.ask_for_review(request.user, note, timezone.now())
            revision.save()

    def construct_change_message(self, request, form, formsets, add=False):
        if form.saving_revision and asking_for_review(request):
            return "Saved a draft revision and asked for review."
        return super().construct_change_message(request, form, formsets, add)

    def response_change(self, request, obj):
        if asking_for_review(request) and saving_revision(request, obj):
            self.message_user(
                request,
                f"Draft revision of “{obj}” saved and waiting for review. The published "
                "answer stays live until a reviewer approves it.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:kb_entry_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def panel_context(self, request: HttpRequest, entry: Entry) -> dict:
        context = super().panel_context(request, entry)
        if "revision" not in context:
            return context
        revision = context["revision"]["revision"]
        can_publish = self.has_publish_permission(request, entry)
        context["revision"] = {
            **context["revision"],
            "can_publish": can_publish,
            "can_send_back": can_publish and revision.is_waiting,
            "review_before_publishing": settings.KB_REVIEW_BEFORE_PUBLISHING,
            "send_back_url": reverse("admin:kb_entry_send_back_revision", args=[entry.pk]),
            "note_max_length": EntryRevision.NOTE_MAX_LENGTH,
        }
        return context

    def proposals_context(self, request: HttpRequest, entry: Entry, **extra) -> dict:
        context = super().proposals_context(request, entry, **extra)
        if entry.is_published and not may_publish(request.user):
            # Accepting a proposed symptom changes what search finds at once.
            context["proposals"]["can_decide"] = False
        return context

    @method_decorator(require_POST)
    def symptom_decision_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        entry = self.entry_to_change(request, object_id)
        accepting = request.POST.get("decision") == "accept"
        if accepting and entry.is_published and not self.has_publish_permission(request, entry):
            raise PermissionDenied
        return super().symptom_decision_view(request, object_id)

    def _revision_to_decide(self, request: HttpRequest, object_id: str):
        """The entry and its pending revision, for someone who may publish it (else 403)."""
        entry = self.entry_to_change(request, object_id)
        if not self.has_publish_permission(request, entry):
            raise PermissionDenied
        return entry, revision_or_404(entry)

    @method_decorator(require_POST)
    def publish_revision_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        entry, revision = self._revision_to_decide(request, object_id)
        if not _opened_at(request, revision):
            return self._refuse(request, entry, "Not published")
        return super().publish_revision_view(request, object_id)

    @method_decorator(require_POST)
    def send_back_revision_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        entry, revision = self._revision_to_decide(request, object_id)
        back = HttpResponseRedirect(reverse("admin:kb_entry_change", args=[entry.pk]))
        form = SendBackForm(request.POST)
        if not form.is_valid():
            if form.has_error("comment"):
                error = (
                    "Not sent back: say what the author should change (a comment of at most "
                    f"{EntryRevision.NOTE_MAX_LENGTH} characters)."
                )
                self.message_user(request, error, messages.ERROR)
                return back
            return self._refuse(request, entry, "Not sent back")
        if not revision.is_waiting:
            self.message_user(
                request, "Not sent back: this revision is not waiting for review.", messages.ERROR
            )
            return back
        if form.cleaned_data["revision_version"] != revision.version:
            return self._refuse(request, entry, "Not sent back")
        comment = form.cleaned_data["comment"]
        try:
            with transaction.atomic():
                # Under the revision's lock too: a save landing since the line above is not
                # sent back unseen.
                revision.send_back(request.user, comment, timezone.now())
        except StaleEdit:
            return self._refuse(request, entry, "Not sent back")
        # The admin's log keeps the comment once the revision is published or discarded.
        self.log_change(request, entry, f"Sent the draft revision back: {comment}")
        self.message_user(
            request,
            f"Draft revision of “{entry}” sent back to {revision.author or 'its author'} with "
            "your comment.",
            messages.SUCCESS,
        )
        return back

    def _refuse(self, request: HttpRequest, entry: Entry, what: str) -> HttpResponse:
        self.message_user(
            request,
            f"{what}: the revision changed since you opened this page. Read it again above, "
            "then decide.",
            messages.ERROR,
        )
        return HttpResponseRedirect(reverse("admin:kb_entry_change", args=[entry.pk]))


def _opened_at(request: HttpRequest, revision: EntryRevision) -> bool:
    """Whether the page the button was on showed the revision as it is now."""
    opened = request.POST.get("revision_version", "")
    return opened.isascii() and opened.isdigit() and int(opened) == revision.version


def waiting_for_the_digest() -> list[WaitingRevision]:
    """The revisions waiting for review, the oldest first, as the daily digest lists them."""
    revisions = EntryRevision.objects.waiting_for_review().select_related("entry", "author")
    return [
        WaitingRevision(
            question=revision.entry.question,
            author=str(revision.author or "someone"),
            asked_at=revision.asked_at,
            note=revision.ask_note,
            admin_url=settings.KB_SITE_URL
            + reverse("admin:kb_entry_change", args=[revision.entry_id]),
        )
        for revision in revisions
    ]
