"""Counters that every gunicorn worker and every node shares, so a limit is one limit."""

from django.db import models


class ThrottleWindow(models.Model):
    """How many requests one client made in one fixed window, for one throttle.

    `key` is the throttle's scope and a keyed hash of the client's address, never the address
    itself. Rows are deleted once their window has ended (see kb.web.throttle).
    """

    key = models.CharField(max_length=100)
    window_end = models.BigIntegerField(help_text="Unix time when the window ends.")
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_end"], name="one_row_per_window")
        ]
        indexes = [models.Index(fields=["window_end"])]

    def __str__(self) -> str:
        return f"{self.key} until {self.window_end}: {self.hits}"
