"""No lost edits in the admin: the change form carries the version it was opened at, and a
save from an older version is refused with the change saved since, nothing overwritten.

The form's check gives the engineer a readable refusal with their edits kept; the guarantee is
the UPDATE's own check (kb.content.locking), which holds even when another save lands between
the two: then the form is checked again and refuses the same way.
"""

from django import forms
from django.core.exceptions import ValidationError

from kb.content.locking import StaleEdit
from kb.editorial import history

NO_VERSION = (
    "This form does not say which version it was opened at, so saving it could overwrite "
    "another engineer's change. Open it again from the list, then save."
)


class VersionCheckedForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" in self.fields and self.instance.pk is not None and not self.is_bound:
            # The version stored now, not the instance's: a revert form's instance is an old
            # revision, with that revision's version.
            current = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is not None:
                self.initial["version"] = current

    def clean(self):
        cleaned = super().clean()
        if "version" not in self.fields or self.instance.pk is None:
            return cleaned
        if self.has_error("version"):
            raise ValidationError(NO_VERSION, code="no_version")
        current = type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
        opened = cleaned["version"]
        if current is not None and current.version != opened:
            # The form comes back at the current version: saving it again is a decision taken
            # with the other change in view.
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = current.version
            raise ValidationError(
                history.stale_edit_message(current, opened, list(self.fields)), code="stale"
            )
        return cleaned


class EditLockMixin:
    """For the admins of versioned models (entries, error codes): list "version" in a
    fieldset; it is a hidden field."""

    form = VersionCheckedForm

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["widget"] = forms.HiddenInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit:
            # Another save landed between the form's check and its UPDATE, which wrote nothing
            # (its transaction is rolled back): checked again, the form now refuses and says why.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except StaleEdit:
            return super().history_form_view(request, object_id, version_id, extra_context)
