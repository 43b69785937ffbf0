from django.core.management.base import BaseCommand

from kb import search


class Command(BaseCommand):
    help = "Print the ranked search results for a query, as the site would show them."

    def add_arguments(self, parser):
        parser.add_argument("text", help="what a developer would type or paste")
        parser.add_argument("--limit", type=int, default=10)

    def handle(self, *args, text: str, limit: int, **options):
        results = search.search(text, limit=limit)
        if results.suggestion:
            self.stdout.write(f"Did you mean: {results.suggestion}")
        if not results.hits:
            self.stdout.write("No results.")
        for rank, hit in enumerate(results.hits, 1):
            self.stdout.write(f"{rank:2}. {hit.score:7.3f}  {hit.question}  [{hit.category}]")
            self.stdout.write(f"    /faq/{hit.slug}/")
