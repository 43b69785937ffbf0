"""The content version: one value in the database that changes whenever shown content changes.

Public pages are kept in a cache (kb/content/caching.py) under a key that holds this version,
so an edit makes every kept page stale at once, on every node: each request reads the version
(one row by primary key), never the content itself. What changes it: an entry, a category, a
synonym, an error code or a known error message saved or deleted (signals, connected where each
model lives), a many-to-many change of their entries, and the bulk `update()` and
`bulk_update()` of entries and categories (their QuerySets call `content_changed()`).

The value is random rather than a counter: it only has to differ from every value whose pages
may still be kept. A counter would come back to an old number after a database is restored or
flushed (tests do that), and pages kept under that number would show the wrong content; a
random 63-bit value never comes back.

Imports nothing of the project's: content's models and the tools' models both connect to it.
"""

import secrets

from django.db import connection, models

VERSION_ROW = 1


class ContentVersion(models.Model):
    """One row: the version of everything the public pages show."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"content version {self.value:x}"


def current_version() -> int:
    """The version now, shared by every process and node through the database."""
    # Every public request asks this: plain SQL, without building an ORM query each time.
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table} WHERE id = %s", [VERSION_ROW])
        row = cursor.fetchone()
    return 0 if row is None else row[0]


def content_changed(*args, **kwargs) -> None:
    """Give the content a new version; usable as a signal receiver.

    Written in the changing transaction: pages rendered before it commits are kept under the
    old version, which no request asks for once the change is visible.
    """
    value = secrets.randbits(63) or 1
    if not ContentVersion.objects.filter(pk=VERSION_ROW).update(value=value):
        ContentVersion.objects.update_or_create(pk=VERSION_ROW, defaults={"value": value})


class ContentQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes change the content version, as saves and deletes do
    (`bulk_update()` goes through `update()`; a QuerySet's `delete()` sends the signals)."""

    def update(self, **kwargs) -> int:
        changed = super().update(**kwargs)
        if changed:
            content_changed()
        return changed

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            content_changed()
        return created


# The content's own models; the tools connect theirs in kb/tools/models.py. Lazy senders
# ("app.Model"), so this module imports no model of the project's.
for _sender in ("kb.Entry", "kb.Category", "kb.Synonym"):
    models.signals.post_save.connect(content_changed, sender=_sender, weak=False)
    models.signals.post_delete.connect(content_changed, sender=_sender, weak=False)
