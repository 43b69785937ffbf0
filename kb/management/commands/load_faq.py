from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb.content.files import ContentError, read_content
from kb.content.guide_links import unlinked_guide_warnings
from kb.content.loading import ChangedInAdmin
from kb.content.models import Entry
from kb.faq import load_faq, load_faq_error_codes
from kb.management.progress import Progress
from kb.search import sync as search_sync
from kb.tools.models import ErrorCode


class Command(BaseCommand):
    help = (
        "Import faq_content/ into the database: upsert by slug, in one transaction, then bring "
        "the search index up to date. Shows how far it is as it goes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=settings.CONTENT_DIR)
        parser.add_argument(
            "--prune", action="store_true", help="Delete entries that are not in the files."
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace entries changed in the admin since the files were last loaded or "
            "exported (and with --prune, delete entries created in the admin). Without it, "
            "the load stops and names them.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only load when the database has no entries, so admin edits are never "
            "overwritten by a restart.",
        )

    def handle(self, *args, dir: Path, prune: bool, overwrite: bool, if_empty: bool, **options):
        progress = Progress(self.stdout)
        try:
            if if_empty and Entry.objects.exists():
                if ErrorCode.objects.exists():
                    self.stdout.write("The database already has entries; not loading.")
                    return
                # A database from before the error-code lookup: seed the codes, keep the entries.
                report = load_faq_error_codes(dir)
            else:
                report = load_faq(dir, prune, overwrite, progress)
        except (ContentError, ChangedInAdmin) as exc:
            progress.end()
            raise CommandError(f"Nothing was imported. {exc}") from None
        # A large load is indexed in a background thread: let it finish before exiting.
        search_sync.wait_for_background(timeout=None, progress=progress)
        progress.end()
        self.stdout.write(self.style.SUCCESS(f"Loaded {dir}: {report}"))
        for warning in unlinked_guide_warnings(read_content(dir).entries):
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        for unknown in getattr(report, "unknown_owners", []):
            self.stdout.write(
                self.style.WARNING(
                    f"Category owner without a staff account, left as it was: {unknown}"
                )
            )
