"""The monthly sandbox restore and API support hours, counted in Pacific Time.

Pure functions of `now`, so every answer can be tested at any instant (4:59pm on a Friday,
the 20th of December).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kb.tools.instants import describe_duration

PACIFIC = ZoneInfo("America/Los_Angeles")
RESTORE_DAY = 2  # the monthly sandbox is restored on or about the 2nd
CHANGES_BY_DAY = 20  # production changes made by the 20th are in the next restore


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


@dataclass(frozen=True)
class SandboxRestore:
    today: date  # in Pacific Time
    next_restore: date
    changes_restore: date  # the restore that will hold production changes made today
    changes_by: date  # the last day for changes to make it into changes_restore

    @property
    def restore_is_today(self) -> bool:
        return self.next_restore == self.today

    @property
    def changes_in_next_restore(self) -> bool:
        return self.changes_restore == self.next_restore


def next_sandbox_restore(now: datetime) -> SandboxRestore:
    """The next monthly sandbox restore, and which restore picks up changes made today."""
    today = now.astimezone(PACIFIC).date()
    this_month = today.replace(day=RESTORE_DAY)
    next_restore = this_month if today <= this_month else _add_months(this_month, 1)
    changes_restore = next_restore
    changes_by = _add_months(next_restore, -1).replace(day=CHANGES_BY_DAY)
    if today > changes_by:
        changes_restore = _add_months(next_restore, 1)
        changes_by = next_restore.replace(day=CHANGES_BY_DAY)
    return SandboxRestore(today, next_restore, changes_restore, changes_by)


SUPPORT_OPENS = time(8)
SUPPORT_CLOSES = time(17)
SUPPORT_WEEKDAYS = range(0, 5)  # Monday to Friday
# Not calendar.day_name: that follows the server's locale.
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def clock_hour(moment: time) -> str:
    """8am, 5pm: an hour as the pages write it."""
    return f"{moment.hour % 12 or 12}{'am' if moment.hour < 12 else 'pm'}"


# The hours as every page shows them (kb.context_processors.site), made from the same values
# the calculator counts with, so the text cannot drift from the answer.
SUPPORT_HOURS = (
    f"{DAY_NAMES[SUPPORT_WEEKDAYS[0]]} to {DAY_NAMES[SUPPORT_WEEKDAYS[-1]]}, "
    f"{clock_hour(SUPPORT_OPENS)} to {clock_hour(SUPPORT_CLOSES)} Pacific Time"
)


@dataclass(frozen=True)
class SupportStatus:
    is_open: bool
    now: datetime
    changes_at: datetime  # when it closes if open, when it next opens if closed (Pacific)

    @property
    def changes_in_words(self) -> str:
        return describe_duration((self.changes_at - self.now).total_seconds())

    @property
    def hours(self) -> tuple[datetime, datetime]:
        """Opening and closing time of the working day in question: today's, or the next."""
        day = self.changes_at.date()
        return (
            datetime.combine(day, SUPPORT_OPENS, tzinfo=PACIFIC),
            datetime.combine(day, SUPPORT_CLOSES, tzinfo=PACIFIC),
        )


def support_status(now: datetime) -> SupportStatus:
    """Whether API support is open (Monday to Friday, 8am to 5pm Pacific) and until when."""
    local = now.astimezone(PACIFIC)
    working_day = local.weekday() in SUPPORT_WEEKDAYS
    if working_day and SUPPORT_OPENS <= local.time() < SUPPORT_CLOSES:
        closes = datetime.combine(local.date(), SUPPORT_CLOSES, tzinfo=PACIFIC)
        return SupportStatus(True, now, closes)
    day = local.date()
    if not (working_day and local.time() < SUPPORT_OPENS):
        day += timedelta(days=1)
    while day.weekday() not in SUPPORT_WEEKDAYS:
        day += timedelta(days=1)
    return SupportStatus(False, now, datetime.combine(day, SUPPORT_OPENS, tzinfo=PACIFIC))
