"""No lost edits: an optimistic lock on what engineers edit (entries, error codes).

Each row carries a version number. A save that changes what an engineer edits is an UPDATE
that also says `WHERE version = <the version the editor started from>` and sets the next
version, so of two engineers (two tabs, two nodes) who started from the same version only the
first saves; the second is refused with StaleEdit and overwrites nothing. The check is in the
UPDATE itself, not read before it, so no other transaction can slip in between.

Saves that write only bookkeeping (`unversioned_fields`: a verification, derived HTML) neither
check nor take a new version: they change nothing an engineer's form holds.
"""

from django.db import models


class StaleEdit(Exception):
    """The row changed since the version this save started from."""

    def __init__(self, instance: models.Model, expected_version: int):
        self.instance = instance
        self.expected_version = expected_version
        super().__init__(
            f"{instance._meta.verbose_name} #{instance.pk} changed since version "
            f"{expected_version}: nothing was saved."
        )


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(
        default=1,
        help_text="Counts the saves: a form saved from an older version is refused, so one "
        "engineer's edit never silently replaces another's.",
    )

    # Fields a save may write on their own without a new version (see the module's docstring).
    unversioned_fields: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        if update_fields is not None and set(update_fields) <= self.unversioned_fields:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        expected = self.version
        version_field = self._meta.get_field("version")
        values = [value for value in values if value[0] is not version_field]
        values.append((version_field, None, expected + 1))
        updated = super()._do_update(
            base_qs.filter(version=expected), using, pk_val, values, update_fields, forced_update
        )
        if updated:
            self.version = expected + 1
        elif base_qs.filter(pk=pk_val).exists():
            raise StaleEdit(self, expected)
        return updated
