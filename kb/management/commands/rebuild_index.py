from django.core.management.base import BaseCommand

from kb import search


class Command(BaseCommand):
    help = (
        "Build a fresh search index from the database in a new folder and swap it in "
        "atomically; searches keep answering from the old index meanwhile."
    )

    def handle(self, *args, **options):
        path = search.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {path}"))
