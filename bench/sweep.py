"""bench/sweep: one SLA sweep cycle over many open orders, few of them due.

    .venv/bin/python bench/sweep.py [--orders 1000000] [--due 1000] [--scale 10] [--cycles 5] [--slices N]

Seeds ``--orders`` open orders with 3 running clocks each with set-based SQL into its own embedded
PostgreSQL (``var/bench-sweep``), then times sweep cycles of two kinds, each preceded by putting exactly
``--due`` arrival clocks (of distinct orders) in place and nothing else due:

* *warning*: the clocks are past their warning point (80 %): one step each — a timeline event, a
  notification to the handler, the clock's level and next check;
* *deadline*: the clocks were warned and are now past their deadline: two steps each — the breach
  (handler told) and the escalation to the unit head (priority raised, the order written) — so twice the
  events and notifications of a warning cycle, and every order updated.

Each kind is timed as the worker runs a cycle (``powerdesk.sla.cycle.sweep_cycle``: ``--slices`` slices
swept at once on connections of their own, by default ``POWERDESK_SWEEP_SLICES``' default, one per core
up to 4), then again as one slice (one transaction on one backend), with the worker's own CPU time.
Each kind's first cycle warms the server's buffers and is not counted (the embedded server starts afresh
with every run). It also times the due-clock query alone and an idle cycle (nothing due), and prints the plan of the
due-clock query. With ``--scale`` > 1 it then grows the open orders ``scale`` times (still ``--due``
due) and measures again: the cycle should not get slower, because the sweep reads the partial index on
``next_check_at`` only. Seeding drops the secondary indexes of the two big tables and rebuilds them
after (10 M orders: 30 M clocks, ~20 GB on disk); a database holding more orders than asked for is
emptied and seeded again.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_VAR_DIR", str(REPO / "var" / "bench-sweep"))
sys.path.insert(0, str(REPO))

from bench import common  # noqa: E402  (sets the environment before Django)

BIG_TABLES = ["workorders_workorder", "sla_clock"]
CHUNK = 1_000_000


def _bench_unit_and_user() -> tuple[object, object]:
    from powerdesk.org.models import Role, Unit, UnitHead, UnitKind, User

    county, _ = Unit.objects.get_or_create(code="BS0", defaults={"name": "基准市公司", "kind": UnitKind.CITY})
    unit, _ = Unit.objects.get_or_create(
        code="BS", defaults={"name": "基准县公司", "kind": UnitKind.COUNTY, "parent": county}
    )
    user, _ = User.objects.get_or_create(
        username="bench_sweep",
        defaults={"unit": unit, "role": Role.objects.get(code="dispatcher"), "phone": "13800000000"},
    )
    head, _ = User.objects.get_or_create(
        username="bench_sweep_head",
        defaults={"unit": unit, "role": Role.objects.get(code="manager"), "phone": "13800000001"},
    )
    UnitHead.objects.get_or_create(unit=unit, defaults={"user": head})
    return unit, user


def seed(total_orders: int, due: int) -> None:
    """Grow the open orders to ``total_orders`` (3 clocks each)."""
    from django.db import connection, transaction

    from powerdesk.sla.models import SlaPolicy
    from powerdesk.workorders.models import Topic

    unit, user = _bench_unit_and_user()
    topic = Topic.objects.get(code="fault_repair")
    policy = SlaPolicy.objects.get(name="抢修到达现场（城区）")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM workorders_workorder")
        have = cur.fetchone()[0]
        if have > total_orders:
            # A larger earlier run: start again at this size (this database holds bench data only).
            common.log(f"the bench database holds {have:,} orders; emptying it to seed {total_orders:,}")
            from powerdesk.core.appendonly import owner_truncate

            with transaction.atomic():
                for statement in owner_truncate(["TRUNCATE workorders_workorder CASCADE"]):
                    cur.execute(statement)
            have = 0
    if have == total_orders:
        return
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")  # no FK triggers: the rows are known good
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cur.execute("SET LOCAL synchronous_commit = off")
        dropped = common.drop_secondary_indexes(cur, BIG_TABLES)
        for lo in range(have, total_orders, CHUNK):
            hi = min(lo + CHUNK, total_orders)
            _insert_orders(cur, lo + 1, hi, topic.pk, unit.pk, user.pk, policy.pk)
            common.log(f"seeded open orders {lo + 1:,}–{hi:,}")
        step = time.monotonic()
        for _name, definition in dropped:
            cur.execute(definition)
        common.log(f"rebuilt {len(dropped)} secondary indexes ({time.monotonic() - step:.0f} s)")
    with connection.cursor() as cur:
        for table in BIG_TABLES:
            cur.execute(f"VACUUM (ANALYZE) {table}")
        # Write the seed's dirty pages out now: a checkpoint spreading gigabytes over the first cycles
        # would time the disk, not the sweep.
        cur.execute("CHECKPOINT")
    common.log(f"seeding took {time.monotonic() - started:.0f} s")


def _insert_orders(cur, lo: int, hi: int, topic_id: int, unit_id: int, user_id: int, policy_id: int) -> None:
    cur.execute(
        """
        INSERT INTO workorders_workorder (number, business_type, topic_id, channel, priority, status,
            status_before_suspend, address, caller_name, caller_phone, description, facts, unit_id,
            owner_id, contact_count, chase_count, escalation_level, reopen_count, is_flagged, result,
            reply_text, satisfaction, created_at, updated_at, version, due_at, company_id)
        SELECT 'BS' || lpad(g::text, 10, '0'), 'repair', %s, '95598', 1, 'dispatched', '',
            '基准路' || g || '号', '', '', '基准工单', '{}', %s, %s, 1, 0, 0, 0, false, '', '', '',
            now() - interval '10 minutes', now(), 1, now() + interval '1 day',
            (SELECT split_part(path, '/', 2)::bigint FROM org_unit WHERE id = %s)
        FROM generate_series(%s, %s) g
        """,
        [topic_id, unit_id, user_id, unit_id, lo, hi],
    )
    cur.execute(
        """
        INSERT INTO sla_clock (order_id, policy_id, kind, state, started_at, due_at, allowed_seconds,
            paused_seconds, level, next_check_at, company_id)
        SELECT o.id, %s, k.kind, 'running', now() - interval '10 minutes', now() + interval '1 day',
            86400, 0, 0, now() + interval '19 hours', o.company_id
        FROM workorders_workorder o
        CROSS JOIN (VALUES ('arrival'), ('restoration'), ('reply')) AS k(kind)
        WHERE o.number >= %s AND o.number <= %s
        """,
        [policy_id, "BS" + str(lo).zfill(10), "BS" + str(hi).zfill(10)],
    )


def make_due(due: int, kind: str) -> None:
    """Put ``due`` arrival clocks (of distinct orders) where a cycle of ``kind`` finds them; nothing else
    is due. *warning*: 36 of 45 minutes gone, no step taken; *deadline*: 50 of 45 minutes gone, warned.

    Each call takes the next ``due`` orders (consecutive ids: taken together, as in a storm of repair
    calls) of a window moving back through the newest 100,000 open orders from a random start. So each
    cycle meets clocks and orders for the first time, as production does, and rows of recent orders: the
    same rows made due again and again would time the dead index entries of their earlier cycles (the
    notifications' de-duplication keys, the clocks' five indexes) and find room on their pages for the
    orders' new versions, which the first update of a page's ~34 neighbouring orders mostly does not (so
    it writes all thirteen of the orders' indexes)."""
    from django.db import connection

    started, level = ("40 minutes", 0) if kind == "warning" else ("50 minutes", 1)
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM workorders_workorder")
        first, last = cur.fetchone()
        span = max(min(last - first + 1, 100_000) - due, 1)
        _window.setdefault("next", random.randrange(span))
        lo = last - due + 1 - _window["next"] % span
        _window["next"] += due
        cur.execute(
            "UPDATE sla_clock SET next_check_at = now() + interval '19 hours', level = 0, state = 'running', "
            "breached_at = NULL WHERE next_check_at <= now() + interval '1 hour'"
        )
        cur.execute(
            """
            UPDATE sla_clock SET next_check_at = now() - interval '1 second', level = %s, state = 'running',
                breached_at = NULL, started_at = now() - %s::interval,
                due_at = now() - %s::interval + interval '45 minutes', allowed_seconds = 2700
            WHERE order_id BETWEEN %s AND %s AND kind = 'arrival'
            """,
            [level, started, started, lo, lo + due - 1],
        )
        cur.execute(
            "UPDATE workorders_workorder SET priority = 1, escalation_level = 0, is_flagged = false "
            "WHERE id BETWEEN %s AND %s AND (priority, escalation_level, is_flagged) <> (1, 0, false)",
            [lo, lo + due - 1],
        )
        # A window met again (a long run, or a rerun) gets its notifications again.
        cur.execute(
            "DELETE FROM notify_notification WHERE order_id BETWEEN %s AND %s AND dedupe_key LIKE 'clock:%%'",
            [lo, lo + due - 1],
        )
        cur.execute("DELETE FROM procrastinate_jobs WHERE task_name LIKE '%%send_notification%%'")
        cur.execute("ANALYZE sla_clock")


_window: dict[str, int] = {}


def explain_due_query() -> str:
    from powerdesk.core.clock import now
    from powerdesk.org.selectors import company_ids
    from powerdesk.sla.sweep import due_clocks

    return due_clocks(company_ids()[0], now(), 1000).explain(analyze=True, buffers=True)


def measure(due: int, cycles: int, slices: int) -> dict[str, float]:
    """Cycles as the worker runs them (``slices`` at once), then each kind again as one slice (one
    transaction, one backend); ``cycles`` of each after one that warms the buffers."""
    from django.db import connection

    from powerdesk.core.clock import now
    from powerdesk.org.selectors import company_ids
    from powerdesk.sla.cycle import close_connections, sweep_cycle
    from powerdesk.sla.sweep import due_clocks

    with connection.cursor() as cur:
        # Earlier runs' dead rows are vacuumed now, not by an autovacuum that would start in the middle
        # of the cycles (the embedded server starts afresh with every run, and its autovacuum soon after).
        cur.execute(
            "VACUUM (ANALYZE) sla_clock, workorders_workorder, workorders_workorderevent, notify_notification,"
            " procrastinate_jobs"
        )
        cur.execute("CHECKPOINT")  # earlier runs' dirty pages are not this run's cost
    common.wait_for_quiet()
    out: dict[str, float] = {}
    host_us = []
    query_ms = []
    for kind, steps in (("warning", 1), ("deadline", 2)):
        for prefix, n_slices in (("", slices), ("serial_", 1)):
            cycle_ms, cpu_ms = [], []
            for n in range(cycles + 1):
                make_due(due, kind)
                host_us.append(common.calibration_us())
                t = time.perf_counter()
                list(due_clocks(company_ids()[0], now(), 1000))
                query_ms.append((time.perf_counter() - t) * 1000)
                t, c = time.perf_counter(), time.process_time()
                result = sweep_cycle(batch=max(due, 1), slices=n_slices)
                # The first cycle of a kind warms the server's buffers (a fresh server reads from disk) and
                # opens the slices' connections.
                if n:
                    cycle_ms.append((time.perf_counter() - t) * 1000)
                    cpu_ms.append((time.process_time() - c) * 1000)
                assert result.steps_taken == steps * due, (kind, result.steps_taken, due)
                assert result.notifications == steps * due, (kind, result.notifications, due)
            out[f"{prefix}{kind}_p50"] = statistics.median(cycle_ms)
            out[f"{prefix}{kind}_max"] = max(cycle_ms)
            out[f"{prefix}{kind}_cpu"] = statistics.median(cpu_ms)
    out["query_p50"] = statistics.median(query_ms)
    idle = []
    for _ in range(cycles):
        t = time.perf_counter()
        assert sweep_cycle(slices=slices).steps_taken == 0
        idle.append((time.perf_counter() - t) * 1000)
    close_connections()
    out["idle_ms"] = statistics.median(idle)
    out["host_us"] = statistics.median(host_us)
    out["busy"] = common.cpu_busy(1.0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument(
        "--slices", type=int, default=0, help="slices of a cycle (default: POWERDESK_SWEEP_SLICES' default)"
    )
    args = parser.parse_args()

    common.django_setup()
    common.migrate()
    from django.conf import settings

    slices = args.slices or settings.POWERDESK_SWEEP_SLICES
    print("machine:", common.machine_facts())
    print("database:", common.pg_settings())
    rows = []
    try:
        for total in [args.orders, args.orders * args.scale] if args.scale > 1 else [args.orders]:
            seed(total, args.due)
            f = measure(args.due, args.cycles, slices)
            rows.append((total, f))
            common.log(
                f"{total:,} open orders, {args.due} due, {slices} slices: warning cycle p50 "
                f"{f['warning_p50']:.0f} ms (one slice {f['serial_warning_p50']:.0f}), "
                f"deadline cycle p50 {f['deadline_p50']:.0f} ms (one slice {f['serial_deadline_p50']:.0f}), "
                f"due query {f['query_p50']:.1f} ms, idle {f['idle_ms']:.1f} ms, "
                f"machine {f['busy']:.0%} busy right after, host speed {f['host_us']:.1f} µs per calibration loop"
                " (8.0–9.5 is this host's normal)"
            )
        make_due(args.due, "warning")
        print("\nPlan of the due-clock query at the largest size, 1,000 due:\n" + explain_due_query())
        print(
            f"\n| open orders | due | warning p50 ({slices} slices) | max | one slice (worker CPU) "
            "| deadline p50 (2 steps each) | max | one slice (worker CPU) | due query | idle cycle | host µs |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for total, f in rows:
            print(
                f"| {total:,} | {args.due} | {f['warning_p50']:.0f} ms | {f['warning_max']:.0f} ms "
                f"| {f['serial_warning_p50']:.0f} ms ({f['serial_warning_cpu']:.0f}) "
                f"| {f['deadline_p50']:.0f} ms | {f['deadline_max']:.0f} ms "
                f"| {f['serial_deadline_p50']:.0f} ms ({f['serial_deadline_cpu']:.0f}) "
                f"| {f['query_p50']:.1f} ms | {f['idle_ms']:.1f} ms | {f['host_us']:.1f} |"
            )
    finally:
        common.stop_database()


if __name__ == "__main__":
    main()
