from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Everything `make run` needs before serving, in one process: migrate, the cache table, "
        "search-log and change-log retention, the FAQ into an empty database, answers rendered "
        "with the current renderer, static files, and a fresh search index."
    )

    def handle(self, *args, **options):
        quiet = {"verbosity": 0}
        call_command("migrate", interactive=False, **quiet)
        call_command("createcachetable", **quiet)
        call_command("prune_search_log", **quiet)
        call_command("prune_search_changes", **quiet)
        # Only into an empty database, so a restart never overwrites admin edits.
        call_command("load_faq", if_empty=True)
        call_command("render_answers")
        call_command("collectstatic", interactive=False, **quiet)
        call_command("rebuild_index")
