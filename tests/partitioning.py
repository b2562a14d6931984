"""What the tests of the tables partitioned by business month share (the timeline, the contacts, the
notifications: ``powerdesk.core.partitions``): the months, a time inside one, a table's partition names,
which of them a plan reads, and a plan with sequential scans priced out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction

from powerdesk.core import clock, partitions


def this_month() -> dt.date:
    return clock.now().astimezone(clock.BUSINESS_TZ).date().replace(day=1)


def at(month: dt.date, day: int = 10) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, 12, 0, tzinfo=clock.BUSINESS_TZ)


def explain_without_seqscan(queryset) -> str:
    """The plan with sequential scans priced out: on a test's few rows reading a partition whole is
    rightly cheaper than its index."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


@dataclass(frozen=True)
class MonthlyTable:
    table: str

    def name_of(self, month: dt.date) -> str:
        """The partition of ``month``."""
        return f"{self.table}_y{month:%Y}m{month:%m}"

    def partition_names(self) -> set[str]:
        """The month partitions in place now."""
        return {name for name, _start, _end in partitions.months(self.table)}

    def read_partitions(self, plan: str) -> set[str]:
        """The partitions (the default one too) that ``plan`` reads."""
        return {name for name in self.partition_names() | {f"{self.table}_default"} if name in plan}
