"""Monthly partitions of the append-heavy tables: made ahead, detached to the archive when old.

The tables partitioned by month (the timeline, workorders 0025; the contacts, workorders 0027; the
notifications, notify 0010) are found in the catalog: every table
of the current schema partitioned by range. One partition a business month (Asia/Shanghai), named
``<table>_yYYYYmMM``, made by the database function ``powerdesk_month_partition`` (core 0005), which
carries the append-only guards over; a ``<table>_default`` partition takes rows outside the months made.

:func:`ensure` makes this month's and the next ``ahead`` months' partitions (the daily job
``partitions_ensure`` and ``powerdesk partitions ensure``). A month whose rows already sit in the default
partition (a clock set far ahead, a load of old data) is not made: the rows would first have to move, an
owner's job reported rather than done behind their back.

:func:`archive` detaches the months that end on or before a date and moves them to the schema
:data:`ARCHIVE_SCHEMA` (``powerdesk partitions archive --before YYYY-MM``, as the owner): out of every
query of the application, still in the database for an auditor or a dump, still refusing UPDATE, DELETE
and TRUNCATE. Archived months are not attached again by this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction

from powerdesk.core import clock

ARCHIVE_SCHEMA = "powerdesk_archive"
DEFAULT_AHEAD = 3

_PARTITIONED = """
SELECT c.relname
  FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
 WHERE c.relnamespace = current_schema()::regnamespace AND p.partstrat = 'r'
 ORDER BY 1
"""

# The monthly partitions of a table with their bounds, from the catalog's partition bound expression.
_MONTHS = r"""
SELECT c.relname,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)'))[1]::timestamptz,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)'))[2]::timestamptz
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = %s::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
 ORDER BY 2
"""  # noqa: E501


@dataclass
class EnsureResult:
    created: list[str] = field(default_factory=list)
    # (table, month) not made because rows of that month sit in the default partition
    blocked: list[tuple[str, str]] = field(default_factory=list)


def partitioned_tables() -> list[str]:
    with connection.cursor() as cur:
        cur.execute(_PARTITIONED)
        return [name for (name,) in cur.fetchall()]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def ensure(*, ahead: int = DEFAULT_AHEAD, back: int = 0, today: dt.date | None = None) -> EnsureResult:
    """Make the missing partitions of this business month, the ``ahead`` next ones and the ``back``
    earlier ones (before loading old data), of every partitioned table; each in its own savepoint, so one
    blocked month does not stop the others."""
    today = today or clock.now().astimezone(clock.BUSINESS_TZ).date()
    first = month_start(today)
    result = EnsureResult()
    for table in partitioned_tables():
        for k in range(-back, ahead + 1):
            month = add_months(first, k)
            try:
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute("SELECT powerdesk_month_partition(%s::regclass, %s)", [table, month])
                    (made,) = cur.fetchone()
            except DatabaseError:
                result.blocked.append((table, f"{month:%Y-%m}"))
                continue
            if made:
                result.created.append(made)
    return result


def months(table: str) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """(partition, from, to) of ``table``'s monthly partitions, oldest first."""
    with connection.cursor() as cur:
        cur.execute(_MONTHS, [table])
        return list(cur.fetchall())


def archive(*, before: dt.date) -> list[str]:
    """Detach every monthly partition that ends on or before the business month of ``before`` begins,
    and move it to :data:`ARCHIVE_SCHEMA`; the names moved. As the owner, in one transaction."""
    limit = dt.datetime.combine(month_start(before), dt.time(), tzinfo=clock.BUSINESS_TZ)
    moved = []
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE_SCHEMA}")
        for table in partitioned_tables():
            for name, _start, end in months(table):
                if end > limit:
                    continue
                guards = _row_guards(cur, table)
                cur.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{name}"')
                cur.execute(f'ALTER TABLE "{name}" SET SCHEMA {ARCHIVE_SCHEMA}')
                for trigger, function in guards:
                    _keep_guard(cur, f'{ARCHIVE_SCHEMA}."{name}"', trigger, function)
                moved.append(f"{ARCHIVE_SCHEMA}.{name}")
    return moved


def _row_guards(cur, table: str) -> list[tuple[str, str]]:
    """The append-only row triggers of ``table`` (name, function), to keep on a detached partition."""
    cur.execute(
        "SELECT t.tgname, p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
        " WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal AND p.proname LIKE %s"
        " AND t.tgtype & 1 = 1",  # row-level
        [table, r"%\_append\_only"],
    )
    return list(cur.fetchall())


def _keep_guard(cur, qualified: str, trigger: str, function: str) -> None:
    """The row guard on an archived partition: PostgreSQL drops the clone of the parent's trigger when
    the partition is detached."""
    cur.execute("SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s", [qualified, trigger])
    if cur.fetchone() is None:
        cur.execute(
            f'CREATE TRIGGER "{trigger}" BEFORE UPDATE OR DELETE ON {qualified}'
            f' FOR EACH ROW EXECUTE FUNCTION "{function}"()'
        )
