from django.contrib import admin, messages
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from kb.admin_workflow import EntryWorkflowAdminMixin
from kb.models import Category, Entry, Synonym


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
