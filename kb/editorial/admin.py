"""The admin, written for support engineers: categories, entries (with live preview,
revision diffs, readers' votes, verification and proposed symptoms), synonyms, error codes and
known messages, and readers' votes. Each feature's part of the entry page is a mixin in its own
package (kb/review/admin.py, kb/insights/symptoms_admin.py); escalations and the search insights
page are registered by kb/support/admin.py."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from kb.content.admin import ReadOnlyAdminMixin
from kb.content.locking import StaleEdit
from kb.content.models import Category, Entry, Synonym
from kb.editorial import history
from kb.editorial.approval import ReviewBeforePublishingMixin
from kb.editorial.editing import EditLockMixin
from kb.editorial.models import EntryRevision, Feedback
from kb.editorial.preview import AnswerPreviewMixin
from kb.editorial.revisions import DraftRevisionMixin
from kb.editorial.unpublishing import DeliberateUnpublishMixin
from kb.insights.symptoms_admin import SymptomProposalsMixin
from kb.review.admin import EntryReviewMixin, ErrorCodeReviewMixin
from kb.tools.models import ErrorCode, KnownErrorMessage

REASONS_ON_CHANGE_PAGE = 20


def _require_numeric_id(value: str) -> None:
    # The history URLs take any text; an id that is not a number names no row (beyond 18
    # digits it would not fit the database's 64-bit ids either).
    value = unquote(value)
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise Http404("No such record.")


class GuardedHistoryMixin:
    """simple-history's history pages under Django's permission rules.

    Its revision page lets anyone who may *view* the object post the form and so revert it;
    reverting is a change, so posting needs the change permission. Ids that are not numbers
    are a 404 rather than a database error.
    """

    def history_view(self, request, object_id, extra_context=None):
        _require_numeric_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _require_numeric_id(object_id)
        _require_numeric_id(version_id)
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                raise Http404("No such record.")
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return not self.has_change_permission(request, obj) or super().revert_disabled(request, obj)


class RevisionCompareMixin:
    """Readable revision diffs for a SimpleHistoryAdmin: a compare page and a column linking
    each revision to the one before."""

    object_history_template = "admin/kb/entry/object_history.html"
    object_history_list_template = "admin/kb/entry/object_history_list.html"
    object_history_form_template = "admin/kb/entry/object_history_form.html"
    # simple-history heads the column with the attribute's name.
    history_list_display = ["compare"]

    def get_urls(self):
        # Ahead of simple-history's catch-all revision URL, which would take "compare" for an id.
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.history_compare_view),
                name="kb_entry_history_compare",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        revisions = self.model.history.filter(id=unquote(object_id)).select_related("history_user")
        extra_context = {
            "revisions": [(r.history_id, history.revision_label(r)) for r in revisions[:200]],
            "compare_url": reverse("admin:kb_entry_history_compare", args=[object_id]),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context)

    # Words kept around each change in the history list; the compare page shows all of them.
    history_context_words = 8

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each revision's changes from the one before, word by word (simple-history's own
        summary cuts long text to "[93 chars]")."""
        records = list(historical_records)
        for number, record in enumerate(records):
            previous = records[number + 1] if number + 1 < len(records) else record.prev_record
            record.revision_changes = (
                [
                    c
                    for c in history.compare_revisions(previous, record, self.history_context_words)
                    if c.changed
                ]
                if previous is not None
                else []
            )

    def compare(self, record) -> str:
        previous = record.prev_record
        if previous is None:
            return ""
        url = reverse("admin:kb_entry_history_compare", args=[record.id])
        query = urlencode({"old": previous.history_id, "new": record.history_id})
        return format_html('<a href="{}?{}">compare with previous</a>', url, query)

    def history_compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        entry = self.get_object(request, unquote(object_id))
        if entry is None:
            raise Http404("No such entry.")
        if not self.has_view_history_or_change_history_permission(request, entry):
            raise PermissionDenied
        every_revision = list(entry.history.select_related("history_user"))
        # Offered and compared by default: revisions that changed the entry's content, so
        # "Mark as verified" does not leave an empty comparison on top.
        revisions = history.content_revisions(every_revision)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "entry": entry,
            "title": f"Compare revisions: {entry}",
            "revisions": [(r.history_id, history.revision_label(r)) for r in revisions],
            "history_url": reverse("admin:kb_entry_history", args=[entry.pk]),
        }
        if len(revisions) < 2:
            context["error"] = (
                "This entry has only one revision that changed its content: there is nothing "
                "to compare."
            )
            return render(request, "admin/kb/entry/history_compare.html", context)

        by_id = {str(r.history_id): r for r in every_revision}
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


class FeedbackCountsMixin:
    """Helpful / not helpful columns in the entry list, and the votes and reasons on its page."""

    feedback_fields = ["feedback_summary"]

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
        votes = ngettext(
            "%(helpful)d reader found it helpful, %(unhelpful)d did not.",
            "%(helpful)d readers found it helpful, %(unhelpful)d did not.",
            helpful,
        ) % {"helpful": helpful, "unhelpful": unhelpful}
        return format_html(
            '<p>{}</p>{}<p><a href="{}">All votes on this entry</a></p>',
            votes,
            format_html('<ul class="feedback-reasons">{}</ul>', items) if items else "",
            all_url,
        )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "default_owner", "entry_count"]
    list_select_related = ["default_owner"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    @admin.display(description="Entries", ordering="entry_count")
    def entry_count(self, category: Category) -> int:
        return category.entry_count


@admin.register(Entry)
class EntryAdmin(
    ReviewBeforePublishingMixin,
    DeliberateUnpublishMixin,
    DraftRevisionMixin,
    EditLockMixin,
    EntryReviewMixin,
    SymptomProposalsMixin,
    AnswerPreviewMixin,
    GuardedHistoryMixin,
    RevisionCompareMixin,
    FeedbackCountsMixin,
    SimpleHistoryAdmin,
):
    # A narrow Status column (a badge on drafts) keeps the vote columns on a 1280 px screen.
    list_display = ["question", "status_column", "category", "updated_on"]
    list_filter = ["status", "category"]
    # A page of a large FAQ at a time, without counting every entry on each filter change
    # ("Show all" counts, once asked).
    list_per_page = 50
    show_full_result_count = False
    list_select_related = ["category"]
    search_fields = ["question", "answer", "symptoms", "slug"]
    prepopulated_fields = {"slug": ["question"]}
    date_hierarchy = "updated"
    readonly_fields = ["created", "updated"]
    actions = ["publish", "unpublish", "mark_verified"]
    fieldsets = [
        (None, {"fields": ["question", "slug", "category", "status", "order", "version"]}),
        ("Answer", {"fields": ["answer"]}),
        (
            "Search",
            {
                "fields": ["symptoms"],
                "description": "What developers paste or type when they need this answer.",
            },
        ),
        ("Dates", {"fields": ["created", "updated"], "classes": ["collapse"]}),
    ]

    @admin.display(description="Status", ordering="status")
    def status_column(self, entry) -> str:
        if not entry.is_published:
            return format_html('<span class="status-draft">{}</span>', "Draft")
        if getattr(entry, "has_pending_revision", False):
            state = getattr(entry, "pending_revision_state", None)
            label = {
                EntryRevision.State.WAITING: "revision waiting for review",
                EntryRevision.State.SENT_BACK: "revision sent back",
            }.get(state, "revision pending")
            return format_html('Published<span class="status-revision">{}</span>', label)
        return "Published"

    @admin.display(description="Updated", ordering="updated")
    def updated_on(self, entry) -> str:
        # The date alone: the time would push the vote columns off a 1280 px screen.
        return f"{entry.updated:%Y-%m-%d}"

    # "publish": the change permission, and the publish one where review is on (approval.py).
    @admin.action(description="Publish the selected entries", permissions=["publish"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Entry.Status.PUBLISHED)

    def _set_status(self, request, queryset, status: str) -> None:
        # Save one by one so history, rendering and the search index see each change.
        # Each save takes the entry's next version, so a form opened before it is refused.
        changed = 0
        for entry in queryset.exclude(status=status):
            entry.status = status
            try:
                with transaction.atomic():
                    entry.save()
            except StaleEdit:
                # Saved by someone else since this list read it: left as they made it.
                continue
            changed += 1
        if status == Entry.Status.PUBLISHED:
            message = ngettext("%d entry published.", "%d entries published.", changed)
        else:
            message = ngettext(
                "%d entry unpublished: it is a draft now.",
                "%d entries unpublished: they are drafts now.",
                changed,
            )
        self.message_user(request, message % changed, messages.SUCCESS)


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["terms", "note"]
    search_fields = ["terms", "note"]


# --- Error codes and known messages, for the error-code lookup (/tools/error-codes/).


class KnownErrorMessageInline(admin.TabularInline):
    model = KnownErrorMessage
    fields = ["text", "entries"]
    extra = 0
    verbose_name = "known message with this code"
    verbose_name_plural = "known messages with this code"


@admin.register(ErrorCode)
class ErrorCodeAdmin(EditLockMixin, ErrorCodeReviewMixin, GuardedHistoryMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "retry", "message_count", "updated"]
    list_display_links = ["code", "name"]
    list_filter = ["retry"]
    search_fields = ["code", "name", "meaning", "causes", "fixes", "messages__text"]
    filter_horizontal = ["entries"]
    readonly_fields = ["updated"]
    inlines = [KnownErrorMessageInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "meaning", "version"]}),
        ("Causes and fixes", {"fields": ["causes", "fixes"]}),
        ("Retrying", {"fields": ["retry", "retry_guidance"]}),
        (
            "FAQ",
            {
                "fields": ["entries"],
                "description": "The lookup links to these entries under the code.",
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(message_count=Count("messages"))

    @admin.display(description="Known messages", ordering="message_count")
    def message_count(self, error_code: ErrorCode) -> int:
        return error_code.message_count


@admin.register(KnownErrorMessage)
class KnownErrorMessageAdmin(admin.ModelAdmin):
    list_display = ["text", "error_code"]
    list_filter = ["error_code"]
    list_select_related = ["error_code"]
    search_fields = ["text"]
    autocomplete_fields = ["error_code"]
    filter_horizontal = ["entries"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Votes are read-only: they are what visitors said. Abusive ones can be deleted."""

    can_delete = True

    list_display = ["entry", "helpful", "reason", "updated"]
    list_filter = ["helpful", ("entry", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["entry"]
    search_fields = ["reason", "entry__question"]
    date_hierarchy = "updated"
    fields = ["entry", "helpful", "reason", "created", "updated"]
