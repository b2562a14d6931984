"""bench/sweep_parts: where one SLA sweep cycle's time goes, and with ``--profile`` where its Python CPU goes.

    .venv/bin/python bench/sweep_parts.py [--kind warning|deadline] [--rounds 4] [--profile] [--top 30]

On the database ``bench/sweep.py`` seeded (``var/bench-sweep``, or ``BENCH_VAR_DIR``), puts 1,000 clocks
where a cycle of ``--kind`` finds them (as ``bench/sweep.py`` does) and runs the sweep in a transaction that
is rolled back, ``--rounds`` times (the first one warms the buffers and is not counted). Prints, per part of
the cycle (claim, read, compute, each write), the p50 wall time and the number of statements sent through
Django's cursor (the bulk writes of :mod:`powerdesk.core.bulk` use psycopg's own and are not counted); with
``--profile``, the cProfile functions with the most cumulative time in the measured rounds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_VAR_DIR", str(REPO / "var" / "bench-sweep"))
sys.path.insert(0, str(REPO))

from bench import common  # noqa: E402  (sets the environment before Django)

PARTS = {
    "_claim": "claim (due clocks, lock orders, lock clocks)",
    "of": "read units and heads",
    "_compute": "compute the steps",
    "load_users": "read the recipients",
    "event_write_many": "write the events",
    "bulk_update": "write clocks / orders",
    "notification_enqueue_many": "write notifications + jobs",
}


def measure(kind: str, rounds: int, profile: bool) -> tuple[dict[str, list[float]], dict[str, int], str]:
    from django.db import connection, transaction

    from bench.sweep import make_due
    from powerdesk.core import bulk
    from powerdesk.sla import sweep as sw

    times: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    current: dict[str, float] = defaultdict(float)
    current_counts: dict[str, int] = defaultdict(int)
    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    def timed(name, func):
        def wrapper(*args, **kwargs):
            before = statements[0]
            t = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                current[name] += time.perf_counter() - t
                current_counts[name] += statements[0] - before

        return wrapper

    patches = [
        (sw, "_claim"),
        (sw._People, "of"),
        (sw, "_compute"),
        (sw._People, "load_users"),
        (sw, "event_write_many"),
        (bulk, "bulk_update"),
        (sw, "notification_enqueue_many"),
    ]
    originals = [(owner, name, owner.__dict__[name]) for owner, name in patches]
    profiler = cProfile.Profile()
    try:
        for owner, name, original in originals:
            func = original.__func__ if isinstance(original, classmethod) else original
            wrapped = timed(name, func)
            setattr(owner, name, classmethod(wrapped) if isinstance(original, classmethod) else wrapped)
        for n in range(rounds):
            make_due(1000, kind)
            current.clear()
            current_counts.clear()
            statements[0] = 0
            with connection.execute_wrapper(count), transaction.atomic():
                t = time.perf_counter()
                if profile and n:
                    profiler.enable()
                result = sw.sweep(batch=1000)
                profiler.disable()
                total = time.perf_counter() - t
                transaction.set_rollback(True)
            assert result.steps_taken == 1000 * (1 if kind == "warning" else 2), result
            if n:
                for name, seconds in current.items():
                    times[name].append(seconds * 1000)
                times["whole cycle"].append(total * 1000)
                counts = {**current_counts, "whole cycle": statements[0]}
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    report = ""
    if profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        report = out.getvalue()
    return times, counts, report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kind", choices=["warning", "deadline"], default="warning")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    common.django_setup()
    common.wait_for_quiet()
    host = common.calibration_us()
    times, counts, report = measure(args.kind, args.rounds, args.profile)
    print(f"kind {args.kind}, 1,000 due clocks, host speed {host:.1f} µs per calibration loop")
    print("| part | p50 | statements |\n|---|---:|---:|")
    for name, label in [*PARTS.items(), ("whole cycle", "whole cycle")]:
        if times.get(name):
            print(f"| {label} | {statistics.median(times[name]):.1f} ms | {counts.get(name, 0)} |")
    if report:
        print(report)
    common.stop_database()


if __name__ == "__main__":
    main()
