"""The timeline is partitioned by business month (workorders 0025, powerdesk.core.partitions): a query
with a time bound reads its months only, an order's timeline stays on the index, a retried transition is
still applied once across months, the append-only guards hold on every partition, next months are made
ahead and old ones leave for the archive schema still append-only."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError, IntegrityError, connection, transaction

from powerdesk.core import clock, partitions
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import EventRequestKey, WorkOrderEvent
from powerdesk.workorders.selectors import order_timeline
from tests.partitioning import MonthlyTable, at, this_month
from tests.workorders.helpers import intake

TABLE = "workorders_workorderevent"

pytestmark = pytest.mark.django_db

MONTHS = MonthlyTable(TABLE)
name_of = MONTHS.name_of
partition_names = MONTHS.partition_names
read_partitions = MONTHS.read_partitions


@pytest.fixture
def order(users, customer):
    return intake(users, customer)


def test_the_migration_leaves_last_month_to_three_ahead_and_a_default():
    month = this_month()
    wanted = {name_of(partitions.add_months(month, k)) for k in range(-1, 4)}
    assert wanted <= partition_names()
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [f"{TABLE}_default"])
        assert cur.fetchone()[0] is not None


def test_a_time_bounded_query_reads_only_its_months(order):
    month = this_month()
    start = dt.datetime.combine(month, dt.time(), tzinfo=clock.BUSINESS_TZ)
    end = dt.datetime.combine(partitions.add_months(month, 1), dt.time(), tzinfo=clock.BUSINESS_TZ)
    plan = WorkOrderEvent.objects.filter(at__gte=start, at__lt=end).explain()
    read = read_partitions(plan)
    assert read == {name_of(month)}, plan


def test_an_orders_timeline_is_read_by_its_index_in_every_month(order):
    """No time bound: every month is visited, each by an index range of the order (``wo_event_order_at``
    on each partition), never read whole. Sequential scans are priced out, as in the sweep's plan tests:
    on a test's few rows reading a partition whole is rightly cheaper."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        plan = WorkOrderEvent.objects.filter(order_id=order.pk).order_by("at", "id").explain()
    assert "Seq Scan" not in plan, plan
    assert "order_id = " in plan, plan


def test_the_order_page_reads_its_timeline_from_its_acceptance_month_on(users, customer):
    with time_machine.travel(at(this_month(), 15), tick=False):  # mid-month: the margin stays inside it
        order = intake(users, customer)
    earlier = partitions.add_months(this_month(), -1)
    plan = order_timeline(order).explain()
    assert name_of(this_month()) in plan, plan
    assert name_of(earlier) not in plan, plan
    assert [e.kind for e in order_timeline(order)] == ["created"]


def test_a_request_id_is_unique_on_an_order_across_months(order):
    month = this_month()
    event_write(order=order, kind="note", note="第一次", request_id="req-1", at=at(month))
    assert EventRequestKey.objects.filter(order=order, request_id="req-1").exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        event_write(
            order=order, kind="note", note="重试", request_id="req-1", at=at(partitions.add_months(month, 1))
        )
    assert WorkOrderEvent.objects.filter(order=order, request_id="req-1").count() == 1


def refused_statements(cur, statements) -> None:
    """Each of ``statements`` fails on the guard. The foreign keys' checks of the test's own inserts are
    run first (they are deferred to the commit, and PostgreSQL refuses a TRUNCATE with such checks
    pending before any trigger would)."""
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for statement in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cur.execute(statement)


def test_the_append_only_guards_hold_on_a_partition_itself(order):
    name = name_of(this_month())
    with connection.cursor() as cur:
        refused_statements(cur, (f"UPDATE {name} SET note = 'x'", f"DELETE FROM {name}", f"TRUNCATE {name}"))
    assert WorkOrderEvent.objects.filter(order=order).exists()


def test_ensure_makes_the_months_ahead_once():
    far = partitions.add_months(this_month(), 12)
    made = partitions.ensure(ahead=2, today=far)
    # Every partitioned table gets its months (the contacts' and notifications' have tests of their own).
    assert [name for name in made.created if name.startswith(TABLE)] == [
        name_of(partitions.add_months(far, k)) for k in range(3)
    ]
    assert made.blocked == []
    assert partitions.ensure(ahead=2, today=far).created == []
    with connection.cursor() as cur:  # the new month carries the TRUNCATE guard too
        refused_statements(cur, [f"TRUNCATE {name_of(far)}"])


def test_ensure_reports_a_month_whose_rows_sit_in_the_default_partition(order):
    far = partitions.add_months(this_month(), 24)
    event_write(order=order, kind="note", note="远期", at=at(far))
    made = partitions.ensure(ahead=0, today=far)
    assert name_of(far) not in made.created and made.blocked == [(TABLE, f"{far:%Y-%m}")]
    assert WorkOrderEvent.objects.filter(order=order, note="远期").exists()


def test_archive_detaches_old_months_into_the_archive_schema_still_append_only(order):
    month = this_month()
    previous = partitions.add_months(month, -1)
    event_write(order=order, kind="note", note="上月", at=at(previous))
    moved = partitions.archive(before=month)
    assert f"{partitions.ARCHIVE_SCHEMA}.{name_of(previous)}" in moved
    assert name_of(previous) not in partition_names()
    assert not WorkOrderEvent.objects.filter(order=order, note="上月").exists()
    archived = f"{partitions.ARCHIVE_SCHEMA}.{name_of(previous)}"
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {archived} WHERE note = '上月'")
        assert cur.fetchone()[0] == 1
        refused_statements(cur, (f"UPDATE {archived} SET note = 'x'", f"DELETE FROM {archived}"))
        # TRUNCATE: the guard is there (running it here meets the detach's own pending checks first)
        cur.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
            [archived, f"{name_of(previous)}_no_truncate"],
        )
        assert cur.fetchone()[0] == 1
    assert WorkOrderEvent.objects.filter(order=order).exists()  # this month's timeline stays
