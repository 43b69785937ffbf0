"""Draft revisions in the admin: "Save as a draft revision" on a published entry keeps the
published answer live and stores the change beside it (kb.editorial.models.EntryRevision);
the entry's page shows it pending, previews it and compares it with the live version, and
publishing it saves it into the entry as any edit; discarding drops it.

Both locks hold: the form must be at the entry's current version, and at the pending
revision's (one saved since by someone else is not replaced unseen); a revision is published
only over the entry version it was drafted from.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from kb.content.locking import StaleEdit
from kb.content.markdown import render_markdown
from kb.content.models import Entry
from kb.editorial import history
from kb.editorial.editing import VersionCheckedForm
from kb.editorial.models import EntryRevision

SAVE_REVISION = "_save_revision"
PANEL_TEMPLATE = "admin/kb/entry/revision_panel.html"


class EntryForm(VersionCheckedForm):
    # The pending revision's version when the form was opened; 0: there was none.
    revision_version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    saving_revision = False  # set per request by DraftRevisionMixin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.initial["revision_version"] = _pending_version(self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if not self.saving_revision or self.instance.pk is None:
            return cleaned
        current = _pending_version(self.instance.pk)
        if (cleaned.get("revision_version") or 0) != current:
            self.data = self.data.copy()
            self.data[self.add_prefix("revision_version")] = current
            revision = EntryRevision.objects.select_related("author").get(entry=self.instance.pk)
            raise ValidationError(
                f"Not saved: {revision.author or 'someone'} saved another draft revision of "
                f"this entry since you opened it ({revision.updated:%Y-%m-%d %H:%M} UTC); it is "
                "shown above. Saving again replaces it with what this form holds.",
                code="stale_revision",
            )
        return cleaned


def _pending_version(entry_pk) -> int:
    return (
        EntryRevision.objects.filter(entry=entry_pk).values_list("version", flat=True).first() or 0
    )


class DraftRevisionMixin:
    """For EntryAdmin (with EntryPanelsMixin): draft revisions of published entries."""

    form = EntryForm

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revision/publish/",
                self.admin_site.admin_view(self.publish_revision_view),
                name="kb_entry_publish_revision",
            ),
            path(
                "<path:object_id>/revision/discard/",
                self.admin_site.admin_view(self.discard_revision_view),
                name="kb_entry_discard_revision",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        pending = EntryRevision.objects.filter(entry=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                has_pending_revision=Exists(pending),
                # For the Status column: waiting for review, sent back (kb.editorial.approval).
                pending_revision_state=Subquery(pending.values("state")[:1]),
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.saving_revision = saving_revision(request, obj)
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        name, options = fieldsets[0]
        fieldsets[0] = (name, {**options, "fields": [*options["fields"], "revision_version"]})
        return fieldsets

    def save_model(self, request, obj, form, change):
        if not (change and form.saving_revision):
            return super().save_model(request, obj, form, change)
        # The form's values go to the revision; the entry itself is not saved.
        values = EntryRevision.values_of(obj)
        values["answer"] = values["answer"].replace("\r\n", "\n").strip()
        revision = EntryRevision.objects.filter(entry=obj.pk).first()
        if revision is None:
            EntryRevision.objects.create(
                entry_id=obj.pk,
                author=request.user,
                based_on_version=form.cleaned_data["version"],
                **values,
            )
        else:
            for name, value in values.items():
                setattr(revision, name, value)
            revision.author = request.user
            revision.based_on_version = form.cleaned_data["version"]
            revision.version = form.cleaned_data.get("revision_version") or 0
            revision.save()
        obj.refresh_from_db()  # what is live, for the log and the messages

    def construct_change_message(self, request, form, formsets, add=False):
        if form.saving_revision:
            return "Saved a draft revision."
        return super().construct_change_message(request, form, formsets, add)

    def response_change(self, request, obj):
        if saving_revision(request, obj):
            self.message_user(
                request,
                f"Draft revision of “{obj}” saved. The published answer stays live until the "
                "revision is published.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:kb_entry_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def panel_context(self, request: HttpRequest, entry: Entry) -> dict:
        context = super().panel_context(request, entry)
        revision = EntryRevision.objects.select_related("author", "category").filter(entry=entry)
        revision = revision.first()
        if revision is None:
            return context
        comparisons = history.compare_revisions(
            entry, revision, fields=EntryRevision.FIELDS, model=Entry
        )
        return {
            **context,
            "revision": {
                "revision": revision,
                "changes": [c for c in comparisons if c.changed],
                # Sanitized by the renderer, as on the public page.
                "preview": mark_safe(render_markdown(revision.answer)),
                "can_publish": self.has_change_permission(request, entry),
                "can_discard": self.has_change_permission(request, entry),
                "publish_url": reverse("admin:kb_entry_publish_revision", args=[entry.pk]),
                "discard_url": reverse("admin:kb_entry_discard_revision", args=[entry.pk]),
            },
        }

    @method_decorator(require_POST)
    def publish_revision_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        entry = self.entry_to_change(request, object_id)
        revision = revision_or_404(entry)
        back = HttpResponseRedirect(reverse("admin:kb_entry_change", args=[entry.pk]))
        if revision.based_on_version != entry.version:
            self.message_user(
                request,
                "Not published: the entry changed since this revision was drafted from it. "
                "Open the revision's changes above, carry them into the form and save a new "
                "revision (or discard this one).",
                messages.ERROR,
            )
            return back
        if Entry.objects.exclude(pk=entry.pk).filter(slug=revision.slug).exists():
            self.message_user(
                request,
                f"Not published: another entry has the address /faq/{revision.slug}/ now.",
                messages.ERROR,
            )
            return back
        revision.apply_to(entry)
        entry._history_user = request.user
        entry._change_reason = f"Published the draft revision by {revision.author or 'someone'}"
        if revision.is_waiting:
            entry._change_reason = (
                f"Approved the draft revision by {revision.author or 'someone'} "
                f"(review asked by {revision.asked_by or 'someone'} on "
                f"{revision.asked_at:%Y-%m-%d %H:%M} UTC)"
            )
        try:
            with transaction.atomic():
                entry.save()
                revision.delete()
        except StaleEdit:
            self.message_user(
                request, "Not published: the entry changed a moment ago.", messages.ERROR
            )
            return back
        done = "approved and published" if revision.is_waiting else "published"
        self.log_change(request, entry, f"Draft revision {done}.")
        self.message_user(request, f"Draft revision of “{entry}” {done}.", messages.SUCCESS)
        return back

    @method_decorator(require_POST)
    def discard_revision_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        entry = self.entry_to_change(request, object_id)
        revision_or_404(entry).delete()
        self.message_user(request, f"Draft revision of “{entry}” discarded.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:kb_entry_change", args=[entry.pk]))


def revision_or_404(entry: Entry) -> EntryRevision:
    revision = EntryRevision.objects.filter(entry=entry).select_related("author").first()
    if revision is None:
        raise Http404("This entry has no draft revision.")
    return revision


def saving_revision(request: HttpRequest, entry) -> bool:
    """A draft revision is saved only for an entry published now."""
    return (
        request.method == "POST"
        and SAVE_REVISION in request.POST
        and entry is not None
        and Entry.objects.filter(pk=entry.pk, status=Entry.Status.PUBLISHED).exists()
    )
