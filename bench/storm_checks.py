"""The worker's cost per prediction check, in one process: application CPU and SQL statements per
``prediction.transformer_check`` (the job ``predict_transformer`` a fault intake defers), by what the
check finds.

    BENCH_VAR_DIR=var/bench-storm .venv/bin/python bench/storm_checks.py [-n 200]

Runs on the storm bench's database (after ``bench/storm.py --keep-server``). Each check runs in a
transaction that is rolled back, so the database is the same for every run and every kind:

- ``below``: a transformer with no outage, two of its customers called (below the storm threshold);
- ``covered``: a transformer under an active outage, with a caller (the check stops at once);
- ``predicts``: a transformer with no outage and N of its customers called (a predicted outage is
  created with its interruption rows; a roll-up when the siblings hold predictions).

The marks a check counts are written before the measurement starts (they are the intake's cost, in
``bench/intake_profile.py --storm placed``). It measures the application side only.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common
from common import log


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=200, help="measured checks per kind (after 20 warm-up)")
    parser.add_argument("--kind", choices=("below", "covered", "predicts"), action="append")
    args = parser.parse_args()
    common.django_setup()

    import psycopg
    from django.db import transaction
    from django.db.models import Exists, OuterRef

    from powerdesk.core import clock
    from powerdesk.customers.models import CustomerSupply
    from powerdesk.grid.models import Device, DeviceKind
    from powerdesk.outages import prediction
    from powerdesk.outages.models import CLOSED_STATES, FaultCallMark, OutageDevice

    now = clock.now()
    figures = prediction.figures_at(None)
    if figures is None:
        raise SystemExit("no prediction rule in force")
    active = OutageDevice.objects.filter(restored_at__isnull=True, outage__actual_end__isnull=True).exclude(
        outage__state__in=CLOSED_STATES
    )
    paths = list(active.values_list("device__path", flat=True))
    transformers = list(
        Device.objects.filter(kind=DeviceKind.TRANSFORMER)
        .annotate(open_marks=Exists(FaultCallMark.objects.filter(transformer=OuterRef("pk"), outage=None)))
        .values_list("pk", "path", "open_marks")
    )
    under = {pk for pk, path, _m in transformers if any(path.startswith(p) for p in paths)}
    # Free: no outage above, and no call waiting there that the check would count besides ours.
    free = [pk for pk, _p, marks in transformers if pk not in under and not marks]
    covered = sorted(under)
    rng = random.Random(14)
    log(f"{len(covered)} transformers under an active outage, {len(free)} free; figures {figures.as_data()}")

    statements = 0
    real_execute = psycopg.Cursor.execute

    def count(self, *a, **kw):
        nonlocal statements
        statements += 1
        return real_execute(self, *a, **kw)

    def callers(transformer_id: int, k: int) -> list[int]:
        return list(
            CustomerSupply.objects.filter(meter_point__parent_id=transformer_id, is_primary=True)
            .order_by("customer_id")
            .values_list("customer_id", flat=True)[:k]
        )

    def one(kind: str) -> tuple[float, int, bool]:
        nonlocal statements
        pool = covered if kind == "covered" else free
        transformer_id = rng.choice(pool)
        k = {"below": 2, "covered": 1, "predicts": figures.min_calls}[kind]
        predicted = False
        cpu = 0.0
        n = 0
        try:
            with transaction.atomic():
                FaultCallMark.objects.bulk_create(
                    FaultCallMark(customer_id=c, transformer_id=transformer_id, at=now)
                    for c in callers(transformer_id, k)
                )
                statements = 0
                psycopg.Cursor.execute = count  # type: ignore[method-assign]
                c0 = time.process_time()
                try:
                    # A savepoint, as the job's own transaction would be the outermost one.
                    predicted = (
                        prediction.transformer_check(transformer_id=transformer_id, now=now) is not None
                    )
                finally:
                    cpu = time.process_time() - c0
                    psycopg.Cursor.execute = real_execute  # type: ignore[method-assign]
                    n = statements
                raise _Rollback
        except _Rollback:
            pass
        return cpu, n, predicted

    for kind in args.kind or ["below", "covered", "predicts"]:
        if not (covered if kind == "covered" else free):
            log(f"{kind}: no transformer of that kind")
            continue
        for _ in range(20):
            one(kind)
        cpu, sql, hits = [], [], 0
        for _ in range(args.n):
            c, s, p = one(kind)
            cpu.append(c)
            sql.append(s)
            hits += p
        log(
            f"{kind}: {args.n} checks ({hits} predicted): application CPU per check mean "
            f"{statistics.mean(cpu) * 1000:.2f} ms, median {statistics.median(cpu) * 1000:.2f} ms; "
            f"SQL statements mean {statistics.mean(sql):.1f}, max {max(sql)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
