"""How far a long command is, for the person running it: entries done, rate and time left, on
one line that updates in place on a terminal, and as plain lines every few seconds when the
output goes to a log. Given to the work as `progress(stage, done, total)`."""

import time

STAGES = {
    # manage.py load_faq
    "files": "entry files read",
    "saved": "entries saved",
    # a rebuild of the search index (kb.search.index.build_generation)
    "entries": "entries read and analysed",
    "writing": "writing the index",
    "arrays": "writing the posting arrays",
}
COUNTED = {"files", "saved", "entries"}  # stages told about as they go, with a rate
PLAIN_EVERY = 5.0  # seconds between two plain lines, when not on a terminal


class Progress:
    def __init__(self, stdout):
        self.stdout = stdout
        self.on_terminal = stdout.isatty()
        self.stage = None
        self.stage_started = time.monotonic()
        self.last_line = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self.end()
            self.stage, self.stage_started = stage, now
        elapsed = now - self.stage_started
        line = f"{done:,} of {total:,} {STAGES.get(stage, stage)}"
        if stage in COUNTED and done == total and done:
            line += f" in {elapsed:,.1f} s"
        elif stage in COUNTED and done and elapsed > 0:
            rate = done / elapsed
            line += f", {rate:,.0f} a second, about {(total - done) / rate:,.0f} s left"
        if self.on_terminal:
            self.stdout.write(f"\r{line}\033[K", ending="" if stage in COUNTED else "\n")
            self.stdout.flush()
        elif stage not in COUNTED or done in (0, total) or now - self.last_line >= PLAIN_EVERY:
            self.stdout.write(line)
            self.last_line = now

    def end(self) -> None:
        """Before anything else is written: on a terminal, the line of the stage that was being
        told stays as it last was, and what follows starts on a line of its own."""
        if self.on_terminal and self.stage in COUNTED:
            self.stdout.write("")
        self.stage = None
