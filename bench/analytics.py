"""Analytics benchmark: the dashboards' queries and the cost of keeping the aggregates current.

    .venv/bin/python bench/analytics.py [--orders 200000] [--customers 100000] [--years 3] [--repeat 15]

Seeds its own database (``var/bench-analytics``; ``bench/seed.py``'s set-based city: 3 counties of 35
stations each — 110 units — 2,000 台区, compact timelines) with N orders over ``--years`` years, then:

* rebuilds the aggregates (``powerdesk analytics rebuild``) and reports its time per order;
* the upkeep: writes one timeline event on K random orders (as transitions would) and times
  ``aggregates.refresh()``; the cost per changed order is compared with the intake's CPU per request
  (``--intake-ms``, bench/RESULTS.md: 9.0 ms for gunicorn + PostgreSQL);
* times every dashboard read (``dashboard_figures``, ``hot_spots``, ``seeded_groups``) for the manager
  (every unit) and a county head (one county's subtree), over the last full month and a quarter, each
  ``--repeat`` times: p50/p95 per function and the p95 of each distinct SQL statement, against 500 ms;
* the first county's monthly report for last month (``bench/exports.py``'s ``bench_report``): its
  figures (their statements ranked with the dashboards'), then the PDF, against 10 s;
* an xlsx export of the whole order list over the last days that hold ~100,000 orders, as the worker
  writes it (``bench_xlsx``), against 30 s. ``--no-reports`` skips these two.

Then the space used (``disk_used``: the database, its largest tables, the data directory with its WAL).

10,000,000 orders over 3 years in the province-sized tree (2,000 台区, 110 units):
``--orders 10000000 --customers 2000000`` — seeded straight over the 3 years and the 105 stations (no
UPDATE of any order afterwards, which would scatter each month's rows over the table), compact timelines (the created event, the current status's event, one per repeat call). About an
hour on this 2-core machine and ~36 GB of disk (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections import defaultdict

os.environ.setdefault(
    "BENCH_VAR_DIR",
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "bench-analytics"),
)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common
from common import log, percentile

TARGET_MS = 500.0
STATIONS_PER_COUNTY = 35  # 105 stations: with the city, the counties and the province, 110 units


def seed_clocks() -> None:
    """Two time-limit clocks an order (a repair's arrival and restoration, another order's reply and
    callback), as the intake would have started them, when the database has none: the on-time measures
    read them. Closed orders' clocks are met (one in twelve after its deadline), open orders' running;
    none is due for the sweep. Set-based, the clocks' secondary indexes built after the load."""
    from django.db import connection, transaction

    from powerdesk.sla.models import Clock

    if Clock.objects.exists():
        return
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        dropped = common.drop_secondary_indexes(cur, [Clock._meta.db_table])
        cur.execute(
            """
            INSERT INTO sla_clock (order_id, policy_id, company_id, kind, state, started_at, due_at,
                allowed_seconds, met_at, breached_at, paused_at, paused_seconds, level, next_check_at)
            SELECT o.id, p.id, o.company_id, k.kind,
                   CASE WHEN o.closed_at IS NULL THEN 'running' ELSE 'met' END,
                   o.created_at, o.created_at + interval '1 day', 86400,
                   o.closed_at,
                   CASE WHEN o.closed_at IS NOT NULL AND o.id % 12 = k.n THEN o.created_at + interval '1 day' END,
                   NULL, 0, 0, NULL
            FROM workorders_workorder o
            CROSS JOIN LATERAL (
                SELECT kind, n FROM unnest(
                    CASE WHEN o.business_type = 'repair' THEN ARRAY['arrival', 'restoration']
                         ELSE ARRAY['reply', 'callback'] END
                ) WITH ORDINALITY AS t(kind, n)
            ) k
            JOIN LATERAL (
                SELECT id FROM sla_slapolicy WHERE clock_kind = k.kind ORDER BY id LIMIT 1
            ) p ON true
            ORDER BY o.id
            """
        )
        clocks = cur.rowcount
        for _name, definition in dropped:
            cur.execute(definition)
    with connection.cursor() as cur:
        cur.execute(f"VACUUM (ANALYZE) {Clock._meta.db_table}")
    log(f"seeded {clocks:,} clocks in {time.monotonic() - started:.1f} s")


def disk_used() -> None:
    """The space the data set takes: the database, its largest tables, and the data directory on disk
    (WAL included)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        (database,) = cur.fetchone()
        cur.execute(
            "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC LIMIT 10"
        )
        tables = cur.fetchall()
        cur.execute("SELECT count(*) FROM workorders_workorder")
        (orders,) = cur.fetchone()
    var = os.environ["BENCH_VAR_DIR"]
    on_disk = sum(
        os.path.getsize(os.path.join(root, name))
        for root, _dirs, names in os.walk(var)
        for name in names
        if os.path.isfile(os.path.join(root, name))
    )
    log(
        f"disk: database {database / 2**30:.2f} GiB ({database / max(orders, 1):,.0f} bytes per order),"
        f" {var} {on_disk / 2**30:.2f} GiB on disk"
    )
    log("largest tables (MB): " + ", ".join(f"{name} {size / 2**20:,.0f}" for name, size in tables))


def timed_queries():
    from django.db import connection

    times: dict[str, list[float]] = defaultdict(list)

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            times[" ".join(sql.split())[:110]].append(1000 * (time.perf_counter() - started))

    return connection.execute_wrapper(wrapper), times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--changed", type=int, default=5_000, help="orders changed before one upkeep run")
    parser.add_argument(
        "--recent-days",
        type=int,
        default=7,
        help="changed orders are drawn from those accepted this recently (0: any)",
    )
    parser.add_argument("--no-rebuild", action="store_true", help="keep the aggregates of an earlier run")
    parser.add_argument(
        "--rollups-only",
        action="store_true",
        help="keep the facts of an earlier run and roll them up again (after a change of the rollups)",
    )
    parser.add_argument("--intake-ms", type=float, default=9.0)
    parser.add_argument(
        "--no-reports",
        action="store_true",
        help="skip the county's monthly report (figures and PDF) and the xlsx export of ~100,000 orders",
    )
    args = parser.parse_args()

    common.django_setup()
    common.migrate()
    import seed
    from django.db import connection

    seeded = seed.seed(
        args.customers, args.orders, days=365 * args.years, stations_per_county=STATIONS_PER_COUNTY
    )
    if seeded is not None:
        log(f"seeded {args.orders:,} orders and {args.customers:,} customers in {seeded:.1f} s")
    seed_clocks()
    disk_used()
    from powerdesk.analytics import aggregates, dashboard, hot_spots
    from powerdesk.analytics.dashboard import Filters
    from powerdesk.analytics.measures import Scope
    from powerdesk.analytics.selectors import month_bounds, period_of
    from powerdesk.org.models import Unit, User
    from powerdesk.workorders.models import WorkOrder

    started = time.monotonic()
    if args.rollups_only:
        days = aggregates.rollup_all()
        log(f"rolled up {days:,} days of facts in {time.monotonic() - started:.1f} s")
        rebuilt = 0
    else:
        rebuilt = 0 if args.no_rebuild else aggregates.rebuild()
    rebuild_s = time.monotonic() - started
    from powerdesk.analytics.models import ROLLUPS

    tables = ["analytics_orderfact", *(m._meta.db_table for m in ROLLUPS)]
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"VACUUM (ANALYZE) {table}")
        cur.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
            [[*tables, "workorders_workorder", "workorders_workorderevent"]],
        )
        sizes = {name: size for name, size in cur.fetchall()}
    rows = {
        m.__name__: (m.objects.filter(monthly=False).count(), m.objects.filter(monthly=True).count())
        for m in ROLLUPS
    }
    log(
        f"rebuild: {rebuilt:,} orders in {rebuild_s:.1f} s ({1000 * rebuild_s / max(rebuilt, 1):.2f} ms/order)"
    )
    log("rollup rows (by day / by month): " + ", ".join(f"{k} {d:,} / {m:,}" for k, (d, m) in rows.items()))
    log("sizes (MB): " + ", ".join(f"{k} {v / 2**20:.0f}" for k, v in sorted(sizes.items())))
    disk_used()

    # The upkeep: K orders changed (one event each, as a transition writes), then one run.
    log(f"host speed: sum(range(1000)) in {common.calibration_us():.1f} µs (8.0–9.5 is this host's normal)")
    rng = random.Random(1)
    pool = WorkOrder.objects.order_by("id")
    if args.recent_days:
        from django.utils import timezone

        pool = pool.filter(created_at__gte=timezone.now() - dt.timedelta(days=args.recent_days))
    ids = list(pool.values_list("id", flat=True))
    changed = sorted(set(rng.sample(ids, min(args.changed, len(ids)))))
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO workorders_workorderevent (order_id, kind, at, from_status, to_status, note, data,"
            " request_id, request_fingerprint) SELECT id, 'note', now(), '', '', 'bench', '{}', '', ''"
            " FROM workorders_workorder WHERE id = ANY(%s)",
            [changed],
        )
    aggregates.refresh()  # the run before's window once more: measure a steady run below
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO workorders_workorderevent (order_id, kind, at, from_status, to_status, note, data,"
            " request_id, request_fingerprint) SELECT id, 'note', now(), '', '', 'bench', '{}', '', ''"
            " FROM workorders_workorder WHERE id = ANY(%s)",
            [changed],
        )
    cpu0, started = time.process_time(), time.monotonic()
    refreshed = aggregates.refresh()
    upkeep_s, upkeep_cpu = time.monotonic() - started, time.process_time() - cpu0
    per_order = 1000 * upkeep_s / max(refreshed, 1)
    log(
        f"upkeep: {refreshed:,} orders re-derived in {upkeep_s:.2f} s wall, {upkeep_cpu:.2f} s app CPU"
        f" = {per_order:.2f} ms per changed order (each counted twice: the overlap window) ="
        f" {per_order / args.intake_ms:.2f} × the intake's {args.intake_ms} ms"
    )

    today = dt.date.today()
    last_month = month_bounds(today.replace(day=1) - dt.timedelta(days=1))
    quarter = (last_month[0] - dt.timedelta(days=62)).replace(day=1), last_month[1]
    manager = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench_analytics", password=common.BENCH_PASSWORD
    )
    county = Unit.objects.filter(kind="county").order_by("id").first()
    cases = [
        ("manager, last month", Scope(manager), period_of(*last_month)),
        ("manager, last quarter", Scope(manager), period_of(*quarter)),
        ("county, last month", Scope(manager, county), period_of(*last_month)),
    ]
    functions = {
        "dashboard_figures": lambda s, p: dashboard.dashboard_figures(p, s, Filters()),
        "hot_spots": lambda s, p: hot_spots.hot_spots(p, s, Filters()),
        "seeded_groups": lambda s, p: hot_spots.seeded_groups(p, s, Filters()),
        "dashboard_figures (customer type + channel)": lambda s, p: dashboard.dashboard_figures(
            p, s, Filters(customer_type="urban_resident", channel="95598")
        ),
    }
    worst = 0.0
    context, statements = timed_queries()
    with context:
        for label, scope, period in cases:
            for name, function in functions.items():
                samples = []
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    function(scope, period)
                    samples.append(1000 * (time.perf_counter() - t0))
                log(
                    f"{label:24} {name:44} p50 {percentile(samples, 50):7.1f} ms  p95 {percentile(samples, 95):7.1f} ms"
                )
        if not args.no_reports:
            # The report's statements join the dashboards' in the ranking below.
            from exports import bench_report

            bench_report(manager, min(args.repeat, 3), unit=county, month=last_month[0])
    print("\nslowest statements (p95 ms, count):")
    ranked = sorted(statements.items(), key=lambda kv: -percentile(kv[1], 95))
    for sql, samples in ranked[:12]:
        p95 = percentile(samples, 95)
        worst = max(worst, p95)
        print(f"  {p95:8.1f}  {len(samples):5d}  {sql}")
    print(
        f"\nworst statement p95 {worst:.1f} ms against {TARGET_MS:.0f} ms: {'met' if worst < TARGET_MS else 'NOT met'}"
    )
    log(f"host speed: sum(range(1000)) in {common.calibration_us():.1f} µs")
    if not args.no_reports:
        from exports import bench_xlsx

        # About 100,000 orders: the last days' whole list, as many days as hold that many.
        per_day = max(1, args.orders // (365 * args.years))
        days = max(1, -(-100_000 // per_day))
        last = today - dt.timedelta(days=1)
        bench_xlsx(
            manager,
            [
                ["queue", "all"],
                ["date_from", str(last - dt.timedelta(days=days - 1))],
                ["date_to", str(last)],
            ],
        )


if __name__ == "__main__":
    main()
