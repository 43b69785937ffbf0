from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.content.files import ContentError
from kb.content.models import Entry
from kb.faq import load_faq, load_faq_error_codes
from kb.tools.models import ErrorCode


class Command(BaseCommand):
    help = "Import faq_content/ into the database: upsert by slug, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=settings.CONTENT_DIR)
        parser.add_argument(
            "--prune", action="store_true", help="Delete entries that are not in the files."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only load when the database has no entries, so admin edits are never "
            "overwritten by a restart.",
        )

    def handle(self, *args, dir: Path, prune: bool, if_empty: bool, **options):
        try:
            if if_empty and Entry.objects.exists():
                if ErrorCode.objects.exists():
                    self.stdout.write("The database already has entries; not loading.")
                    return
                # A database from before the error-code lookup: seed the codes, keep the entries.
                report = load_faq_error_codes(dir)
            else:
                report = load_faq(dir, prune=prune)
        except ContentError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Loaded {dir}: {report}"))
