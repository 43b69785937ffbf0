from django.core.management.base import BaseCommand

from kb.content.models import Entry


class Command(BaseCommand):
    help = (
        "Render every answer's Markdown to HTML again, after the renderer changed (for example "
        "when heading anchors were added). Dates, history and the search index are untouched."
    )

    def handle(self, *args, **options):
        changed = Entry.objects.rerender_answers()
        self.stdout.write(self.style.SUCCESS(f"Answers rendered again: {changed} changed."))
