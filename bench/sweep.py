"""bench/sweep: one SLA sweep cycle over many open orders, few of them due.

    .venv/bin/python bench/sweep.py [--orders 1000000] [--due 1000] [--scale 10] [--cycles 5]

Seeds ``--orders`` open orders with 3 clocks each (``--due`` of them past their warning point) with
set-based SQL into its own embedded PostgreSQL (``var/bench-sweep``), then times sweep cycles that each
take the ``--due`` warning steps (event + notification + queued job per clock), and times the due-clock
query alone. With ``--scale`` > 1 it then grows the open orders ``scale`` times (still ``--due`` due) and
measures again: the cycle should not get slower, because the sweep reads the partial index on
``next_check_at`` only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_VAR_DIR", str(REPO / "var" / "bench-sweep"))
sys.path.insert(0, str(REPO))

from bench import common  # noqa: E402  (sets the environment before Django)


def seed(total_orders: int, due: int) -> None:
    """Grow the open orders to ``total_orders`` (3 clocks each); make exactly ``due`` clocks due now."""
    from django.db import connection

    from powerdesk.org.models import Role, Unit, UnitKind, User
    from powerdesk.sla.models import SlaPolicy
    from powerdesk.workorders.models import Topic

    unit, _ = Unit.objects.get_or_create(code="BS", defaults={"name": "基准县公司", "kind": UnitKind.COUNTY})
    user, _ = User.objects.get_or_create(
        username="bench_sweep",
        defaults={"unit": unit, "role": Role.objects.get(code="dispatcher"), "phone": "13800000000"},
    )
    topic = Topic.objects.get(code="fault_repair")
    policy = SlaPolicy.objects.get(name="抢修到达现场（城区）")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM workorders_workorder WHERE number LIKE 'BS%%'")
        have = cur.fetchone()[0]
        if have < total_orders:
            started = time.monotonic()
            step = 500_000
            for lo in range(have, total_orders, step):
                hi = min(lo + step, total_orders)
                cur.execute(
                    """
                    INSERT INTO workorders_workorder (number, business_type, topic_id, channel, priority, status,
                        status_before_suspend, address, caller_name, caller_phone, description, facts, unit_id,
                        owner_id, contact_count, chase_count, escalation_level, reopen_count, is_flagged, result,
                        reply_text, satisfaction, created_at, updated_at, version, due_at)
                    SELECT 'BS' || lpad(g::text, 10, '0'), 'repair', %s, '95598', 1, 'dispatched', '',
                        '基准路' || g || '号', '', '', '基准工单', '{}', %s, %s, 1, 0, 0, 0, false, '', '', '',
                        now() - interval '10 minutes', now(), 1, now() + interval '1 day'
                    FROM generate_series(%s, %s) g
                    """,
                    [topic.pk, unit.pk, user.pk, lo + 1, hi],
                )
                cur.execute(
                    """
                    INSERT INTO sla_clock (order_id, policy_id, kind, state, started_at, due_at, allowed_seconds,
                        paused_seconds, level, next_check_at)
                    SELECT o.id, %s, k.kind, 'running', now() - interval '10 minutes', now() + interval '1 day',
                        86400, 0, 0, now() + interval '19 hours'
                    FROM workorders_workorder o
                    CROSS JOIN (VALUES ('arrival'), ('restoration'), ('reply')) AS k(kind)
                    WHERE o.number >= %s AND o.number <= %s
                    """,
                    [policy.pk, "BS" + str(lo + 1).zfill(10), "BS" + str(hi).zfill(10)],
                )
                common.log(f"seeded open orders {lo + 1:,}–{hi:,}")
            cur.execute("ANALYZE workorders_workorder; ANALYZE sla_clock")
            common.log(f"seeding took {time.monotonic() - started:.0f} s")
        make_due(due)


def make_due(due: int) -> None:
    """Put ``due`` arrival clocks (of distinct orders) at their warning point; nothing else is due."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "UPDATE sla_clock SET next_check_at = now() + interval '19 hours', level = 0 "
            "WHERE next_check_at <= now() + interval '1 hour'"
        )
        cur.execute(
            """
            UPDATE sla_clock SET next_check_at = now() - interval '1 second', level = 0,
                started_at = now() - interval '40 minutes', due_at = now() + interval '5 minutes',
                allowed_seconds = 2700
            WHERE id IN (SELECT id FROM sla_clock WHERE kind = 'arrival' ORDER BY id DESC LIMIT %s)
            """,
            [due],
        )
        cur.execute("DELETE FROM notify_notification WHERE dedupe_key LIKE 'clock:%%'")
        cur.execute("DELETE FROM procrastinate_jobs WHERE task_name LIKE '%%send_notification%%'")
        cur.execute("ANALYZE sla_clock")


def explain_due_query() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT id, order_id FROM sla_clock WHERE next_check_at IS NOT NULL "
            "AND next_check_at <= now() ORDER BY next_check_at LIMIT 1000"
        )
        return "\n".join(r[0] for r in cur.fetchall())


def measure(due: int, cycles: int) -> dict[str, float]:
    from django.db import connection

    from powerdesk.sla.sweep import sweep

    cycle_ms, query_ms = [], []
    for _ in range(cycles):
        make_due(due)
        with connection.cursor() as cur:
            t = time.perf_counter()
            cur.execute(
                "SELECT id, order_id FROM sla_clock WHERE next_check_at IS NOT NULL "
                "AND next_check_at <= now() ORDER BY next_check_at LIMIT 1000"
            )
            cur.fetchall()
            query_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        result = sweep(batch=max(due, 1))
        cycle_ms.append((time.perf_counter() - t) * 1000)
        assert result.steps_taken == due, (result.steps_taken, due)
        t = time.perf_counter()
        empty = sweep()
        idle_ms = (time.perf_counter() - t) * 1000
        assert empty.steps_taken == 0
    return {
        "cycle_p50": statistics.median(cycle_ms),
        "cycle_max": max(cycle_ms),
        "query_p50": statistics.median(query_ms),
        "idle_ms": idle_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--cycles", type=int, default=5)
    args = parser.parse_args()

    common.django_setup()
    common.migrate()
    print("machine:", common.machine_facts())
    rows = []
    try:
        for total in [args.orders, args.orders * args.scale] if args.scale > 1 else [args.orders]:
            seed(total, args.due)
            figures = measure(args.due, args.cycles)
            rows.append((total, figures))
            common.log(
                f"{total:,} open orders, {args.due} due: sweep cycle p50 {figures['cycle_p50']:.0f} ms "
                f"(max {figures['cycle_max']:.0f} ms), due query {figures['query_p50']:.1f} ms, "
                f"idle cycle {figures['idle_ms']:.1f} ms"
            )
        print("\nPlan of the due-clock query at the largest size:\n" + explain_due_query())
        print("\n| open orders | clocks | due | sweep cycle p50 | max | due query p50 | idle cycle |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for total, f in rows:
            print(
                f"| {total:,} | {3 * total:,} | {args.due} | {f['cycle_p50']:.0f} ms | {f['cycle_max']:.0f} ms | "
                f"{f['query_p50']:.1f} ms | {f['idle_ms']:.1f} ms |"
            )
    finally:
        common.stop_database()


if __name__ == "__main__":
    main()
