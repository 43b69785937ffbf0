"""What the features' admin classes build on: read-only registrations, and the panels above an
entry's form. The registrations themselves live with each feature (kb/editorial/admin.py for
the entries, kb/support/admin.py for escalations and the insights page).
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from kb.content.models import Entry


class ReadOnlyAdminMixin:
    """For records of what happened (votes, searches, escalations): shown as recorded, never
    added or changed in the admin. `can_delete` lets an engineer remove abusive ones."""

    can_delete = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.can_delete and super().has_delete_permission(request, obj)


class EntryPanelsMixin:
    """The panels above an entry's form (verification, proposed symptoms): what they show, and
    the entry their buttons act on. Each panel's mixin adds to `panel_context`."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, unquote(object_id))
        if entry is not None:
            extra_context = {**self.panel_context(request, entry), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def panel_context(self, request: HttpRequest, entry: Entry) -> dict:
        return {}

    def entry_to_change(self, request: HttpRequest, object_id: str) -> Entry:
        """The entry a panel's button posts about, if this engineer may change it."""
        # admin_view() has already required an active staff member and checked CSRF.
        entry = self.get_object(request, unquote(object_id))
        if entry is None:
            raise Http404("No such entry.")
        if not self.has_change_permission(request, entry):
            raise PermissionDenied
        return entry
