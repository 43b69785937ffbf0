from django.core.management.base import BaseCommand

from kb.editorial.approval import waiting_for_the_digest
from kb.review.verification import send_review_digests


class Command(BaseCommand):
    help = (
        "E-mail each entry owner the list of their published entries due for review, and "
        "those who may publish the revisions waiting for review (through EMAIL_BACKEND: the "
        "console unless configured). Meant for a daily timer (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say who would get what; send nothing."
        )

    def handle(self, *args, dry_run: bool, **options):
        report = send_review_digests(dry_run=dry_run, waiting=waiting_for_the_digest())
        if dry_run:
            for address, count, waiting in report.sent:
                parts = [f"{count} entr{'y' if count == 1 else 'ies'}"] if count else []
                if waiting:
                    parts.append(
                        f"{waiting} revision{'' if waiting == 1 else 's'} waiting for review"
                    )
                self.stdout.write(f"{address}: {', '.join(parts)}")
        else:
            sent = len(report.sent)
            self.stdout.write(self.style.SUCCESS(f"Sent {sent} digest{'' if sent == 1 else 's'}."))
        for username in report.without_address:
            self.stdout.write(
                self.style.WARNING(f"{username} owns due entries but has no e-mail address.")
            )
        for username in report.reviewers_without_address:
            self.stdout.write(
                self.style.WARNING(
                    f"{username} may publish while revisions wait for review, but has no "
                    "e-mail address."
                )
            )
        if report.unowned:
            n = report.unowned
            self.stdout.write(
                self.style.WARNING(
                    f"{n} due entr{'y has' if n == 1 else 'ies have'} no owner: "
                    "set one in the admin."
                )
            )
