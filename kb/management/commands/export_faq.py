from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from kb.faq import export_faq


class Command(BaseCommand):
    help = "Write the database's categories and entries (drafts too) to faq_content/."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=settings.CONTENT_DIR)

    def handle(self, *args, dir: Path, **options):
        count = export_faq(dir)
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} entries to {dir}"))
