"""Province benchmark: the seeded city with its timeline in monthly partitions, timed in process.

``.venv/bin/python bench/province.py --customers 50000 --orders 50000`` (the shared machine's size; the
design size is 10 M orders, for a machine of its own). Uses the bench database of ``bench/seed.py``:
before a fresh seed it makes the partitions of the last 13 months, so the year of seeded events lands in
its months, not the default partition. Then, as the largest county's agent and dispatcher, in this one
process (no HTTP server: the figures are the services' and PostgreSQL's, below ``bench/intake.py``'s,
which add gunicorn):

* the layout: rows per month of the timeline;
* plans: a month of the timeline read by a time bound (partitions pruned to one), an order's timeline
  by order id (an index range on each month, no sequential scan), the open queue and due-soonest list;
* intake: ``workorder_intake`` of new fault calls, p50/p95 and calls/s (one connection);
* lists: the dispatcher's open queue, a status + topic filter and a 30-day range, page 1, through the
  list's FilterSet as the API runs it, p50/p95;
* sweep: the intakes' clocks made due, one sweep cycle, its time and steps.

``--single-table`` seeds the same size with every monthly partition dropped (every row in the default
partitions, the layout before partitioning): the figures the partitioned run is compared with.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common
from common import log, percentile

EVENTS = "workorders_workorderevent"


def prepare_partitions(customers: int, orders: int, single_table: bool = False) -> None:
    """Empty the seed's tables when it will seed afresh, then make the last 13 months' partitions; with
    ``single_table``, drop every monthly partition instead, so that every row lands in the default
    partition: the layout before partitioning, for the comparison at the same size."""
    import seed
    from django.db import connection, transaction

    from powerdesk.core import partitions

    with connection.cursor() as cur:
        cur.execute(f'SELECT EXISTS (SELECT 1 FROM "{EVENTS}_default")')
        (in_default,) = cur.fetchone()
        # Another size, or the other layout (a single-table seed fills the default partition): seed again.
        fresh = seed.seeded_size(cur) != (customers, orders) or single_table or in_default
    if fresh:
        with transaction.atomic(), connection.cursor() as cur:
            seed._reset(cur)  # the seed would do it; first, so no old row sits in the default partition
            cur.execute("DELETE FROM bench_seed")
    if single_table:
        with transaction.atomic(), connection.cursor() as cur:
            dropped = 0
            for table in partitions.partitioned_tables():
                for name, _start, _end in partitions.months(table):
                    cur.execute(f'DROP TABLE "{name}"')
                    dropped += 1
        log(f"single table: {dropped} monthly partitions dropped, every row in the default partitions")
        return
    made = partitions.ensure(back=13)
    log(f"partitions: {len(made.created)} made, blocked: {made.blocked or 'none'}")


def layout() -> None:
    from django.db import connection

    from powerdesk.core import partitions

    with connection.cursor() as cur:
        for name, start, _end in partitions.months(EVENTS):
            cur.execute(f'SELECT count(*) FROM "{name}"')
            log(f"  {name}: {cur.fetchone()[0]:,} events from {start:%Y-%m-%d}")
        cur.execute(f'SELECT count(*) FROM "{EVENTS}_default"')
        log(f"  {EVENTS}_default: {cur.fetchone()[0]:,} events")


SIZED = [
    "customers_customer",
    "customers_customerphone",
    "workorders_workorder",
    EVENTS,
    "workorders_contact",
    "sla_clock",
    "notify_notification",
]


def sizes() -> None:
    """Bytes per row of each hot table with its indexes (a partitioned table: the sum of its partitions),
    the figures docs/scaling.md multiplies to the design point."""
    from django.db import connection

    with connection.cursor() as cur:
        for table in SIZED:
            cur.execute(
                "SELECT coalesce(sum(pg_total_relation_size(r)), 0) FROM ("
                " SELECT %s::regclass AS r UNION ALL"
                " SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = %s::regclass) t",
                [table, table],
            )
            (size,) = cur.fetchone()
            cur.execute(f'SELECT count(*) FROM "{table}"')
            (rows,) = cur.fetchone()
            per_row = size / rows if rows else 0
            log(f"  {table}: {rows:,} rows, {size / 2**20:,.1f} MiB with indexes, {per_row:,.0f} B a row")


def wal_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
        return int(cur.fetchone()[0])


def plans(user) -> dict[str, bool]:
    from powerdesk.core import clock, partitions
    from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
    from powerdesk.workorders.selectors import order_queue, order_timeline

    today = clock.now().astimezone(clock.BUSINESS_TZ).date()
    month = partitions.add_months(today.replace(day=1), -2)
    start = dt.datetime.combine(month, dt.time(), tzinfo=clock.BUSINESS_TZ)
    end = dt.datetime.combine(partitions.add_months(month, 1), dt.time(), tzinfo=clock.BUSINESS_TZ)
    bounded = WorkOrderEvent.objects.filter(at__gte=start, at__lt=end).values("kind").explain()
    names = [n for n, _s, _e in partitions.months(EVENTS)] + [f"{EVENTS}_default"]
    read = [n for n in names if n in bounded]
    order = WorkOrder.objects.filter(created_at__lt=start).order_by("-created_at").first()
    timeline = order_timeline(order).explain(analyze=True) if order is not None else ""
    later = [n for n in names if n > f"{EVENTS}_y{month:%Y}m{month:%m}" or n.endswith("_default")]
    earlier = [n for n in names if n not in later and n != f"{EVENTS}_y{month:%Y}m{month:%m}"]
    queue = order_queue(user=user, queue="unit")[:50].explain(analyze=True)
    found = {
        "time-bounded month reads one partition": read == [f"{EVENTS}_y{month:%Y}m{month:%m}"],
        "an order's timeline skips the months before it": not any(n in timeline for n in earlier[:-1]),
        "open queue without a seq scan": "Seq Scan" not in queue,
    }
    for what, ok in found.items():
        log(f"  plan: {what}: {'yes' if ok else 'NO'}")
    return found


def time_intake(user, n: int) -> list:
    from powerdesk.customers.models import Customer
    from powerdesk.workorders import services
    from powerdesk.workorders.models import Topic

    topic = Topic.objects.get(code="fault_repair")
    customers = list(Customer.objects.filter(area__path__startswith=user.unit.path).order_by("?")[:n])
    times, orders = [], []
    wal = wal_bytes()
    for i, customer in enumerate(customers):
        t = time.perf_counter()
        result = services.workorder_intake(
            actor=user,
            business_type="repair",
            topic=topic,
            channel="95598",
            description=f"基准测试来电{i}，整片停电",
            customer=customer,
            force_new=True,
            override_reason="基准测试",
        )
        times.append(time.perf_counter() - t)
        orders.append(result.order)
    total = sum(times)
    wal = wal_bytes() - wal
    log(
        f"  intake ({len(times)} calls, in process): p50 {common.fmt_ms(percentile(times, 50))},"
        f" p95 {common.fmt_ms(percentile(times, 95))}, {len(times) / total:.0f} calls/s on one connection,"
        f" {wal / max(len(times), 1) / 1024:.1f} KiB of WAL a call"
    )
    return orders


def time_lists(user, n: int) -> None:
    from powerdesk.core import clock
    from powerdesk.workorders.filters import OrderFilterSet

    today = clock.now().astimezone(clock.BUSINESS_TZ).date()
    start = today - dt.timedelta(days=120)
    cases = {
        "open queue": {"queue": "unit"},
        "archived fault repairs": {"status": "archived", "topic": "fault_repair"},
        "30-day range": {"date_from": f"{start}", "date_to": f"{start + dt.timedelta(days=29)}"},
    }
    for name, params in cases.items():
        times = []
        for _ in range(n):
            t = time.perf_counter()
            filters = OrderFilterSet(params, user=user)
            rows = list(filters.qs[:50]) if filters.is_valid() else []
            times.append(time.perf_counter() - t)
        log(
            f"  list {name} (page 1, {len(rows)} rows): p50 {common.fmt_ms(percentile(times, 50))},"
            f" p95 {common.fmt_ms(percentile(times, 95))}"
        )


def time_sweep(orders: list) -> None:
    from django.db import connection

    from powerdesk.core import clock
    from powerdesk.sla.cycle import sweep_cycle
    from powerdesk.sla.models import Clock

    ids = [o.pk for o in orders]
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE sla_clock SET next_check_at = now() - interval '1 second',"
            " started_at = started_at - interval '2 days', due_at = now() - interval '1 minute'"
            " WHERE order_id = ANY(%s) AND kind = 'arrival'",
            [ids],
        )
    due = Clock.objects.filter(order_id__in=ids, kind="arrival").count()
    t = time.perf_counter()
    result = sweep_cycle(now=clock.now(), batch=max(due, 1))
    log(
        f"  sweep: {due} clocks due, one cycle {common.fmt_ms(time.perf_counter() - t)},"
        f" {result.steps_taken} steps, {result.notifications} notifications"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--intakes", type=int, default=200)
    parser.add_argument("-n", type=int, default=20, help="timed runs of each list")
    parser.add_argument("--keep-server", action="store_true")
    parser.add_argument(
        "--single-table",
        action="store_true",
        help="no monthly partitions (every row in the default partition): the figures to compare with",
    )
    args = parser.parse_args()
    common.django_setup()
    try:
        common.migrate()
        prepare_partitions(args.customers, args.orders, args.single_table)
        import seed

        seed.seed(args.customers, args.orders)
        log("timeline layout:")
        layout()
        log("sizes:")
        sizes()
        agent = common.bench_user("bench_agent", "agent", "B01-01")
        dispatcher = common.bench_user("bench_dispatcher", "dispatcher", "B01-01")
        plans(dispatcher)
        orders = time_intake(agent, args.intakes)
        time_lists(dispatcher, args.n)
        time_sweep(orders)
    finally:
        if not args.keep_server:
            common.stop_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
