"""Monthly partitions of the append-heavy tables (powerdesk.core.partitions).

powerdesk partitions ensure [--ahead N] [--back M]  this month's, the next N (default 3) and the M
                                                    earlier months' partitions
powerdesk partitions archive --before YYYY-MM  detach the months before YYYY-MM to the archive schema
powerdesk partitions list                      each partitioned table's months and their rows (estimated)
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from powerdesk.core import clock, partitions


class Command(BaseCommand):
    help = "Make next months' partitions, detach old ones to the archive schema, or list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ensure = sub.add_parser("ensure")
        ensure.add_argument("--ahead", type=int, default=partitions.DEFAULT_AHEAD)
        ensure.add_argument("--back", type=int, default=0, help="also the N months before this one")
        archive = sub.add_parser("archive")
        archive.add_argument("--before", required=True, help="YYYY-MM: months before it are archived")
        sub.add_parser("list")

    def handle(self, *args, **opts):
        if opts["action"] == "ensure":
            result = partitions.ensure(ahead=opts["ahead"], back=opts["back"])
            for name in result.created:
                self.stdout.write(f"created {name}")
            for table, month in result.blocked:
                self.stderr.write(
                    f"{table} {month}: rows of this month are in the default partition; move them first"
                )
            if not result.created and not result.blocked:
                self.stdout.write("all partitions present")
            if result.blocked:
                raise CommandError("some months could not be made")
        elif opts["action"] == "archive":
            try:
                before = dt.datetime.strptime(opts["before"], "%Y-%m").date()
            except ValueError:
                raise CommandError("--before takes a month: YYYY-MM") from None
            moved = partitions.archive(before=before)
            for name in moved:
                self.stdout.write(f"archived {name}")
            if not moved:
                self.stdout.write("nothing to archive")
        else:
            with connection.cursor() as cur:
                for table in partitions.partitioned_tables():
                    for name, start, end in partitions.months(table):
                        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [name])
                        (rows,) = cur.fetchone()
                        tz = clock.BUSINESS_TZ
                        first, last = start.astimezone(tz), end.astimezone(tz)
                        self.stdout.write(f"{name}\t{first:%Y-%m-%d}\t{last:%Y-%m-%d}\t~{max(rows, 0)} rows")
