from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.search.changes import prune


class Command(BaseCommand):
    help = (
        "Delete entries of the search change log older than KB_SEARCH_CHANGE_RETENTION_DAYS "
        "(7 unless set). Run it daily; a node that was down longer rebuilds its index."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep this many days instead.")

    def handle(self, *args, days: int | None, **options):
        days = settings.KB_SEARCH_CHANGE_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        deleted = prune(days)
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(f"Deleted {deleted} search changes older than {days} days.")
            )
