"""``powerdesk demo``: load the deterministic demo data set (a fictional county, ~20,000 customers and
~2,000 orders over the last 90 days). Refuses when data exists unless ``--reset`` is given."""

from __future__ import annotations

import datetime as dt
import os

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.demo.history import HISTORY_MONTHS
from powerdesk.demo.loader import DEFAULT_CUSTOMERS, DEFAULT_ORDERS, DEFAULT_SEED, DemoDataExists, demo_load
from powerdesk.demo.users import DEMO_PASSWORD, DEMO_USERS


def _moment(value: str) -> dt.datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"--now: not a date and time: {value!r} (use e.g. 2025-06-30T18:00)")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BUSINESS_TZ)


class Command(BaseCommand):
    help = "Load the demo data set: a fictional county with staff, customers and 90 days of work orders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="delete the existing data first")
        parser.add_argument(
            "--customers", type=int, default=DEFAULT_CUSTOMERS, help="number of customer accounts"
        )
        parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS, help="number of work orders")
        parser.add_argument(
            "--history-months",
            type=int,
            default=HISTORY_MONTHS,
            help="months of compact archived history before the replayed days (0: none)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same data)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(4, os.cpu_count() or 1),
            help="processes replaying the orders (default: one per CPU); 1 = a single transaction",
        )
        parser.add_argument(
            "--now",
            type=_moment,
            default=None,
            help="pretend the load happens at this moment (default: now); the history ends here",
        )

    def handle(self, *args, **opts) -> None:
        if opts["customers"] < 10 or opts["orders"] < 0:
            raise CommandError("--customers must be at least 10 and --orders not negative")

        def progress(message: str) -> None:
            self.stdout.write(f"  {message}")
            self.stdout.flush()

        self.stdout.write(
            f"Loading the demo data (seed {opts['seed']}, {opts['customers']} customers, "
            f"{opts['orders']} orders)…"
        )
        try:
            summary = demo_load(
                seed=opts["seed"],
                customers=opts["customers"],
                orders=opts["orders"],
                history_months=opts["history_months"],
                now=opts["now"],
                reset=opts["reset"],
                workers=max(1, opts["workers"]),
                progress=progress,
            )
        except DemoDataExists as exc:
            raise CommandError(str(exc)) from exc
        s = summary
        self.stdout.write(
            f"Done in {s.seconds:.1f} s: {s.units} units ({s.areas} 台区), {s.staff} staff, "
            f"{s.customers} customers, {s.orders} orders, {s.contacts} contacts "
            f"({s.repeat_calls} repeat calls), {s.events} timeline events, {s.flagged} flagged orders."
        )
        self.stdout.write("  by type:    " + ", ".join(f"{k} {v}" for k, v in s.by_type.items()))
        self.stdout.write("  by status:  " + ", ".join(f"{k} {v}" for k, v in s.by_status.items()))
        self.stdout.write("  by channel: " + ", ".join(f"{k} {v}" for k, v in s.by_channel.items()))
        self.stdout.write(
            f"  complaints judged: {s.judged} archived; monthly reports issued: {s.reports} "
            f"({s.reports_seconds:.1f} s)"
        )
        if s.triage_training:
            self.stdout.write("  triage: the worker trains and activates the first suggestion model")
        if s.problems:
            self.stdout.write(self.style.WARNING(f"{len(s.problems)} planned steps could not be applied:"))
            for line in s.problems[:20]:
                self.stdout.write(f"  {line}")
        if opts["verbosity"] > 0:  # `powerdesk run` lists the logins itself, once
            logins = ", ".join(u[0] for u in DEMO_USERS)
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}): {logins}")
