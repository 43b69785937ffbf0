from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from kb.content import export_content


class Command(BaseCommand):
    help = "Write the database's categories and entries (drafts too) to faq_content/."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=settings.CONTENT_DIR)

    def handle(self, *args, dir: Path, **options):
        count = export_content(dir)
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} entries to {dir}"))
