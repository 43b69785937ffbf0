"""The change log search follows: every change that affects search, in commit order.

Each node keeps its own index and applies the changes it has not seen (kb.search.sync), so
the database is the one thing nodes share. A change is recorded in the transaction that makes
it: if that transaction rolls back, so does the change.
"""

import secrets

from django.db import models
from django.utils import timezone


def new_token() -> str:
    """A change's random mark (see SearchChangeCounter)."""
    return secrets.token_hex(8)


class SearchChange(models.Model):
    """One change search must follow. `seq` numbers changes in the order they committed."""

    class Kind(models.TextChoices):
        ENTRY = "entry", "an entry saved or deleted"
        CATEGORY = "category", "a category renamed"
        SYNONYMS = "synonyms", "the synonyms changed"

    seq = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=10, choices=Kind)
    # The entry's or category's id; no foreign key, as a deleted entry must stay in the log.
    ref = models.BigIntegerField(null=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    token = models.CharField(max_length=16, default=new_token)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.ref or ''}".rstrip()


class SearchChangeCounter(models.Model):
    """The last `seq` handed out: one row, updated by each change's transaction.

    Updating it locks the row until that transaction ends, so a change committing later always
    gets a higher number and a node that has applied up to N never misses a change below N.

    `token` is the last change's random mark, written with its number: a database restored
    from a backup hands out numbers again, so change N after the restore is not the change N a
    node applied before it. A node's index keeps the number and the mark of its last change
    (kb.search.index); another mark for the same number means another history, and a rebuild.
    (One mark for the whole database would not do: the backup carries it too.)
    """

    seq = models.BigIntegerField(default=0)
    token = models.CharField(max_length=16, default=new_token)

    def __str__(self) -> str:
        return f"last change #{self.seq}"
