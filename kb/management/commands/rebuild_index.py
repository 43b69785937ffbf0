from django.conf import settings
from django.core.management.base import BaseCommand

from kb import search
from kb.management.progress import Progress


class Command(BaseCommand):
    help = (
        "Build a fresh search index from the database in a new folder and swap it in "
        "atomically; searches keep answering from the old index meanwhile. Shows how far it "
        "is as it goes."
    )

    def handle(self, *args, **options):
        progress = Progress(self.stdout)
        path = search.rebuild(progress=progress, processes=settings.KB_REBUILD_PROCESSES)
        progress.end()
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {path}"))
