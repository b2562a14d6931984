"""``powerdesk privacy anonymise [--dry-run] [--batch-size N]``: apply the retention periods now, as the
schema's owner (the nightly job does the same from the worker). ``--dry-run`` counts what has expired
and writes nothing but its audit entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from powerdesk.privacy.services import BATCH_SIZE, retention_anonymise


class Command(BaseCommand):
    help = "Privacy over time: anonymise the personal data whose retention period has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        anonymise = sub.add_parser("anonymise", help="blank or delete what has expired and no hold keeps")
        anonymise.add_argument("--dry-run", action="store_true", help="count only")
        anonymise.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(
        self, *args: Any, action: str, dry_run: bool = False, batch_size: int = BATCH_SIZE, **options: Any
    ):
        report = retention_anonymise(dry_run=dry_run, batch_size=max(1, batch_size))
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(
            f"{verb}: orders {report.orders}, events {report.events}, contacts {report.contacts}, "
            f"notifications {report.notifications}, contact phones {report.contact_phones}, "
            f"attachments {report.attachments}"
        )
        for kind, cutoff in sorted(report.cutoffs.items()):
            self.stdout.write(f"  {kind}: before {cutoff}")
