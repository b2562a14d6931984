"""``powerdesk analytics rebuild``: every fact and rollup row again from the orders;
``powerdesk analytics rollups``: every rollup row again from the facts (after an upgrade that changes
the rollups: docs/deploy.md);
``powerdesk analytics refresh``: one run of the upkeep now (what the worker does every minute);
``powerdesk analytics customers``: this month's customer counts per 台区."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from powerdesk.analytics import aggregates


class Command(BaseCommand):
    help = (
        "Analytics aggregates: rebuild from the orders, roll the facts up again, refresh now, "
        "or snapshot customer counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "rollups", "refresh", "customers"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["action"] == "rebuild":
            n = aggregates.rebuild(log=lambda done: self.stdout.write(f"  {done} orders"))
        elif options["action"] == "rollups":
            n = aggregates.rollup_all()
        elif options["action"] == "refresh":
            n = aggregates.refresh()
        else:
            n = aggregates.snapshot_customers()
        self.stdout.write(f"{options['action']}: {n} rows in {time.monotonic() - started:.1f} s")
