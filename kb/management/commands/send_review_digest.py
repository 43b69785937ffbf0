from django.core.management.base import BaseCommand

from kb.review.verification import send_review_digests


class Command(BaseCommand):
    help = (
        "E-mail each entry owner the list of their published entries due for review (through "
        "EMAIL_BACKEND: the console unless configured). Meant for a daily timer (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say who would get what; send nothing."
        )

    def handle(self, *args, dry_run: bool, **options):
        report = send_review_digests(dry_run=dry_run)
        if dry_run:
            for address, count in report.sent:
                self.stdout.write(f"{address}: {count} entr{'y' if count == 1 else 'ies'}")
        else:
            sent = len(report.sent)
            self.stdout.write(self.style.SUCCESS(f"Sent {sent} digest{'' if sent == 1 else 's'}."))
        for username in report.without_address:
            self.stdout.write(
                self.style.WARNING(f"{username} owns due entries but has no e-mail address.")
            )
        if report.unowned:
            n = report.unowned
            self.stdout.write(
                self.style.WARNING(
                    f"{n} due entr{'y has' if n == 1 else 'ies have'} no owner: "
                    "set one in the admin."
                )
            )
