"""Grid tracing benchmark: a city's supply network of 1,000,000 customers under 20,000 transformers.

``.venv/bin/python bench/grid_trace.py`` seeds (once; ``--customers``/``--transformers`` for another size)
its own database under ``var/bench-grid`` with set-based SQL: 50 substations, 1,000 feeders, 4 switches per
feeder each behind a fuse, 5 transformers per fuse (each public one its own 台区), a meter point per customer
and a second supply for 1 % of them. Then it times, in process, the selectors the outages app calls:

* customers below a feeder / a switch / a transformer (their ids, ``customers.supply.customers_below``),
* customers out when a feeder is (dual supply honoured, ``customers_out``),
* devices above a customer (``devices_above``) and the supply path (``supply_path``),
* re-parenting a switch's subtree to another feeder (one UPDATE of its paths; rolled back),

each over 30 random devices or customers, and prints p50/p95. ``--keep-server`` leaves PostgreSQL running.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_VAR_DIR", str(REPO / "var" / "bench-grid"))
sys.path.insert(0, str(REPO))

from bench import common  # noqa: E402  (sets the environment before Django)

SUBSTATIONS = 50
SWITCHES_PER_FEEDER = 4
TRANSFORMERS_PER_FUSE = 5
DUAL_SUPPLY_EVERY = 100  # one customer in a hundred has a second supply
SAMPLES = 30


def seed(customers: int, transformers: int) -> None:
    from django.db import connection, transaction

    fuses = transformers // TRANSFORMERS_PER_FUSE
    feeders = fuses // SWITCHES_PER_FEEDER
    per_substation = max(1, feeders // SUBSTATIONS)
    per_transformer = max(1, customers // transformers)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_grid_seed (customers bigint, transformers bigint)")
        cur.execute("SELECT customers, transformers FROM bench_grid_seed")
        if cur.fetchone() == (customers, transformers):
            common.log(f"already seeded: {customers:,} customers, {transformers:,} transformers")
            return
        started = time.monotonic()
        from powerdesk.core.appendonly import owner_truncate

        # CASCADE reaches the audit trail (its users' units): as the owner, lift its guard for this
        # transaction, as the demo reset does.
        for statement in owner_truncate(
            [
                "TRUNCATE bench_grid_seed, customers_customersupply, grid_deviceparenthistory, grid_device, "
                "customers_customerphone, customers_customer, org_unit RESTART IDENTITY CASCADE"
            ]
        ):
            cur.execute(statement)
        cur.execute(
            "INSERT INTO org_unit (id, code, name, kind, parent_id, region_class, address, manager_name, "
            "manager_phone, is_active) VALUES (1, 'BG', '望川市供电公司', 'city', NULL, 'urban', '', '', '', true)"
        )
        # One 台区 per public transformer, as in the field.
        cur.execute(
            """
            INSERT INTO org_unit (id, code, name, kind, parent_id, region_class, address, manager_name,
                                  manager_phone, is_active)
            SELECT 1 + n, 'BG-A' || n, '台区' || n, 'area', 1, 'urban', '', '台区经理' || n, '', true
              FROM generate_series(1, %s) n
            """,
            [transformers],
        )
        common.log(f"  {transformers:,} 台区: {time.monotonic() - started:.1f} s")
        cur.execute(
            """
            INSERT INTO customers_customer (id, account_no, name, customer_type, area_id, address, meter_no,
                id_number, is_sensitive, sensitive_reason, is_life_support, multi_resident, shared_meter,
                preferred_channel, notes, created_at)
            SELECT n, (3100000000 + n)::text, '客户' || n, 'urban_resident', 2 + (n - 1) / %(per)s, '', '', '',
                   false, '', false, false, false, 'phone', '', now()
              FROM generate_series(1, %(c)s) n
            """,
            {"per": per_transformer, "c": customers},
        )
        common.log(f"  {customers:,} customers: {time.monotonic() - started:.1f} s")
        # Devices level by level with explicit ids (the trigger writes each path from its parent's).
        base_feeder = SUBSTATIONS
        base_switch = base_feeder + feeders
        base_fuse = base_switch + fuses
        base_transformer = base_fuse + fuses
        base_meter = base_transformer + transformers
        levels = [
            ("substation", "SS", 1, SUBSTATIONS, "NULL"),
            ("feeder", "F", base_feeder + 1, feeders, f"1 + (k - 1) / {per_substation} % {SUBSTATIONS}"),
            ("switch", "K", base_switch + 1, fuses, f"{base_feeder} + 1 + (k - 1) / {SWITCHES_PER_FEEDER}"),
            ("fuse", "RD", base_fuse + 1, fuses, f"{base_switch} + k"),
        ]
        for kind, prefix, first, count, parent in levels:
            cur.execute(
                f"""
                INSERT INTO grid_device (id, code, name, kind, parent_id, ownership, area_id)
                SELECT {first} - 1 + k, '{prefix}' || k, '{prefix}' || k, '{kind}', {parent}, '', NULL
                  FROM generate_series(1, {count}) k
                """
            )
        cur.execute(
            f"""
            INSERT INTO grid_device (id, code, name, kind, parent_id, ownership, area_id)
            SELECT {base_transformer} + k, 'T' || k, 'T' || k, 'transformer',
                   {base_fuse} + 1 + (k - 1) / {TRANSFORMERS_PER_FUSE}, 'public', 1 + k
              FROM generate_series(1, {transformers}) k
            """
        )
        common.log(f"  substations to transformers: {time.monotonic() - started:.1f} s")
        cur.execute(
            f"""
            INSERT INTO grid_device (id, code, name, kind, parent_id, ownership, area_id)
            SELECT {base_meter} + k, 'MP' || k, 'MP' || k, 'meter_point',
                   {base_transformer} + 1 + (k - 1) / {per_transformer}, '', NULL
              FROM generate_series(1, {customers}) k
            """
        )
        dual = customers // DUAL_SUPPLY_EVERY
        base_second = base_meter + customers
        # The second supply: a meter point under the transformer half the city away.
        cur.execute(
            f"""
            INSERT INTO grid_device (id, code, name, kind, parent_id, ownership, area_id)
            SELECT {base_second} + j, 'MP2-' || j, 'MP2-' || j, 'meter_point',
                   {base_transformer} + 1
                     + (((j * {DUAL_SUPPLY_EVERY} - 1) / {per_transformer}) + {transformers // 2}) % {transformers},
                   '', NULL
              FROM generate_series(1, {dual}) j
            """
        )
        common.log(f"  meter points: {time.monotonic() - started:.1f} s")
        cur.execute(
            f"""
            INSERT INTO customers_customersupply (customer_id, meter_point_id, is_primary)
            SELECT k, {base_meter} + k, true FROM generate_series(1, {customers}) k
            UNION ALL
            SELECT j * {DUAL_SUPPLY_EVERY}, {base_second} + j, false FROM generate_series(1, {dual}) j
            """
        )
        for table in ("org_unit", "customers_customer", "grid_device", "customers_customersupply"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cur.execute("INSERT INTO bench_grid_seed VALUES (%s, %s)", [customers, transformers])
        common.log(f"seeded in {time.monotonic() - started:.1f} s")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE grid_device")
        cur.execute("VACUUM ANALYZE customers_customersupply")
        cur.execute("VACUUM ANALYZE customers_customer")


def timed(label: str, items: list, fn) -> None:  # type: ignore[no-untyped-def]
    seconds = []
    sizes = []
    for item in items:
        started = time.perf_counter()
        result = fn(item)
        seconds.append(time.perf_counter() - started)
        sizes.append(result)
    p50, p95 = common.percentile(seconds, 50), common.percentile(seconds, 95)
    size = f"{int(sum(sizes) / len(sizes)):,}" if sizes and sizes[0] is not None else "-"
    print(f"{label:<46} p50 {p50 * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms   (avg answer {size} rows)")


def measure() -> None:
    from django.db import transaction

    from powerdesk.customers import supply
    from powerdesk.customers.models import Customer
    from powerdesk.grid.models import Device
    from powerdesk.grid.services import device_reparent

    rng = random.Random(14)

    def sample(kind: str) -> list[Device]:
        ids = list(Device.objects.filter(kind=kind).values_list("pk", flat=True))
        return list(Device.objects.filter(pk__in=rng.sample(ids, min(SAMPLES, len(ids)))))

    def below(device: Device) -> int:
        return len(list(supply.customers_below(device).values_list("pk", flat=True)))

    feeders, switches, transformers = sample("feeder"), sample("switch"), sample("transformer")
    n_customers = Customer.objects.count()
    customers = list(Customer.objects.filter(pk__in=rng.sample(range(1, n_customers + 1), SAMPLES)))
    customers += list(Customer.objects.filter(pk__in=[100 * k for k in range(1, 6)]))  # dual supply
    print(f"\n{Device.objects.count():,} devices, {n_customers:,} customers; {SAMPLES} samples each")
    timed("customers below a feeder", feeders, below)
    timed("customers below a switch", switches, below)
    timed("customers below a transformer", transformers, below)
    timed("customers out when a feeder is (dual supply)", feeders, lambda d: supply.customers_out(d).count())
    timed("devices above a customer", customers, lambda c: len(list(supply.devices_above(c))))
    timed("supply path of a customer", customers, lambda c: sum(len(p) for p in supply.supply_path(c)))

    def move(switch: Device) -> int:
        target = next(f for f in feeders if f.pk != switch.parent_id)
        with transaction.atomic():
            device_reparent(device=switch, new_parent=target, reason="bench")
            transaction.set_rollback(True)
        return None  # type: ignore[return-value]

    timed("re-parent a switch's subtree (rolled back)", switches[:10], move)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transformers", type=int, default=20_000)
    parser.add_argument("--keep-server", action="store_true")
    args = parser.parse_args()
    common.django_setup()
    common.migrate()
    try:
        seed(args.customers, args.transformers)
        measure()
    finally:
        if not args.keep_server:
            common.stop_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
