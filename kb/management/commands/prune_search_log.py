from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from kb.retention import prune_search_log


class Command(BaseCommand):
    help = (
        "Delete search records older than KB_SEARCH_LOG_RETENTION_DAYS "
        "(90 days unless set). Run it daily, e.g. from cron; `make run` runs it at start-up."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of the setting (for a one-off clean-up).",
        )

    def handle(self, *args, days: int | None, **options):
        if days is None:
            days = settings.KB_SEARCH_LOG_RETENTION_DAYS
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        deleted = prune_search_log(days)
        if options["verbosity"] > 0:
            records = ngettext("%d search record", "%d search records", deleted) % deleted
            age = ngettext("%d day", "%d days", days) % days
            self.stdout.write(self.style.SUCCESS(f"Deleted {records} older than {age}."))
