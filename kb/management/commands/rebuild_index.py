import time

from django.core.management.base import BaseCommand

from kb import search

STAGES = {
    "entries": "entries read and analysed",
    "writing": "writing the index",
    "arrays": "writing the posting arrays",
}
PLAIN_EVERY = 5.0  # seconds between two plain lines, when not on a terminal


class Progress:
    """A rebuild's progress for a person: entries done, rate and time left, on one line that
    updates in place on a terminal, as plain lines every few seconds in a log."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.on_terminal = stdout.isatty()
        self.started = time.monotonic()
        self.last_line = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        line = f"{done:,} of {total:,} {STAGES.get(stage, stage)}"
        if stage == "entries" and done and elapsed > 0:
            rate = done / elapsed
            line += f", {rate:,.0f} a second, about {(total - done) / rate:,.0f} s left"
        if self.on_terminal:
            self.stdout.write(f"\r{line}\033[K", ending="")
            self.stdout.flush()
            if stage != "entries":
                self.stdout.write("")
        elif stage != "entries" or time.monotonic() - self.last_line >= PLAIN_EVERY:
            self.stdout.write(line)
            self.last_line = time.monotonic()


class Command(BaseCommand):
    help = (
        "Build a fresh search index from the database in a new folder and swap it in "
        "atomically; searches keep answering from the old index meanwhile. Shows how far it "
        "is as it goes."
    )

    def handle(self, *args, **options):
        path = search.rebuild(progress=Progress(self.stdout))
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {path}"))
