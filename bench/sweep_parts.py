"""bench/sweep_parts: where one SLA sweep cycle's time goes, part by part.

    .venv/bin/python bench/sweep_parts.py [--kind warning|deadline] [--rounds 4]

On the database ``bench/sweep.py`` seeded (``var/bench-sweep``, or ``BENCH_VAR_DIR``), puts 1,000 clocks
where a cycle of ``--kind`` finds them (as ``bench/sweep.py`` does), then times, each in a transaction
that is rolled back: the lock statement (``sla.sweep._LOCK``), the step computation alone
(``_STEPS``), the steps with each write of the cycle on its own (events, clocks, orders, notifications),
the whole write statement (``_WRITE``), and the deferred foreign-key checks that the commit would run
(``SET CONSTRAINTS ALL IMMEDIATE``). Statements are sent as the sweep sends them (server-side parameters,
prepared). Prints the p50 and the minimum of ``--rounds`` rounds (the first is a warm-up) and the host's
speed (see bench/README.md).
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


def variants() -> dict[str, str]:
    from powerdesk.notify.services import ENQUEUE_RESULT, enqueue_ctes
    from powerdesk.sla import sweep as sw

    steps = f"WITH sweep_step AS MATERIALIZED ({sw._STEPS})"
    return {
        "steps": f"{steps} SELECT count(*) FROM sweep_step",
        "steps + events": f"{steps}, e AS ({sw._EVENTS}) SELECT count(*) FROM e",
        "steps + clocks": f"{steps}, c AS ({sw._CLOCKS} RETURNING 1) SELECT count(*) FROM c",
        "steps + orders": f"{steps}, o AS ({sw._ORDERS} RETURNING 1) SELECT count(*) FROM o",
        "steps + notifications": f"{steps}, {enqueue_ctes(sw._NOTIFICATIONS)} SELECT {ENQUEUE_RESULT}",
        "whole write statement": sw._WRITE,
    }


def measure(kind: str, rounds: int) -> dict[str, list[float]]:
    from django.db import transaction

    from bench.sweep import make_due
    from powerdesk.core import sql
    from powerdesk.core.clock import now
    from powerdesk.notify.services import enqueue_values
    from powerdesk.sla import sweep as sw

    times: dict[str, list[float]] = {
        "lock": [],
        **{name: [] for name in variants()},
        "foreign-key checks": [],
    }
    for n in range(rounds):
        for name, statement in variants().items():
            make_due(1000, kind)
            with transaction.atomic(), sql.cursor() as cur:
                at = now()
                t0 = time.perf_counter()
                cur.execute(sw._LOCK, {"now": at, "batch": 1000, "slice": 0, "slices": 1}, prepare=True)
                clock_ids = cur.fetchone()[3]
                t1 = time.perf_counter()
                cur.execute(
                    statement, enqueue_values({"ids": clock_ids, "now": at, **sw._constants()}), prepare=True
                )
                cur.fetchall()
                t2 = time.perf_counter()
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                t3 = time.perf_counter()
                transaction.set_rollback(True)
            if n:  # the first round warms the buffers and the prepared statements
                times["lock"].append((t1 - t0) * 1000)
                times[name].append((t2 - t1) * 1000)
                if statement is sw._WRITE:
                    times["foreign-key checks"].append((t3 - t2) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kind", choices=["warning", "deadline"], default="warning")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    common.django_setup()
    try:
        common.wait_for_quiet()
        host = common.calibration_us()
        times = measure(args.kind, max(args.rounds, 2))
        host = statistics.median([host, common.calibration_us()])
        print(f"1,000 {args.kind} clocks, host speed {host:.1f} µs per calibration loop")
        for name, values in times.items():
            print(f"  {name:<24} p50 {statistics.median(values):6.1f} ms   min {min(values):6.1f} ms")
    finally:
        common.stop_database()


if __name__ == "__main__":
    main()
