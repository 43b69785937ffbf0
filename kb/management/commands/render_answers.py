from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from kb.content.models import Entry


class Command(BaseCommand):
    help = (
        "Render every answer's Markdown to HTML again, after the renderer changed (for example "
        "when heading anchors were added). Dates, history and the search index are untouched."
    )

    def handle(self, *args, **options):
        changed = Entry.objects.rerender_answers()
        message = ngettext(
            "Answers rendered again: %d answer changed.",
            "Answers rendered again: %d answers changed.",
            changed,
        )
        self.stdout.write(self.style.SUCCESS(message % changed))
