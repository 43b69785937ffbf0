from django.contrib import admin, messages
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from kb.admin_workflow import EntryWorkflowAdminMixin
from kb.models import Category, Entry, ErrorCode, KnownErrorMessage, Synonym


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "entry_count"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    @admin.display(description="Entries", ordering="entry_count")
    def entry_count(self, category: Category) -> int:
        return category.entry_count


@admin.register(Entry)
class EntryAdmin(EntryWorkflowAdminMixin, SimpleHistoryAdmin):
    list_display = ["question", "category", "status", "updated"]
    list_filter = ["status", "category"]
    list_select_related = ["category"]
    search_fields = ["question", "answer", "symptoms", "slug"]
    prepopulated_fields = {"slug": ["question"]}
    date_hierarchy = "updated"
    readonly_fields = ["created", "updated"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["question", "slug", "category", "status", "order"]}),
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

    @admin.action(description="Publish the selected entries")
    def publish(self, request, queryset):
        self._set_status(request, queryset, Entry.Status.PUBLISHED)

    @admin.action(description="Unpublish the selected entries (make them drafts)")
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Entry.Status.DRAFT)

    def _set_status(self, request, queryset, status: str) -> None:
        # Save one by one so history, rendering and the search index see each change.
        changed = 0
        for entry in queryset.exclude(status=status):
            entry.status = status
            entry.save()
            changed += 1
        self.message_user(request, f"{changed} entries set to {status}.", messages.SUCCESS)


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
class ErrorCodeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "retry", "message_count", "updated"]
    list_display_links = ["code", "name"]
    list_filter = ["retry"]
    search_fields = ["code", "name", "meaning", "causes", "fixes", "messages__text"]
    filter_horizontal = ["entries"]
    readonly_fields = ["updated"]
    inlines = [KnownErrorMessageInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "meaning"]}),
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
