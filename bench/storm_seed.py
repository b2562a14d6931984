"""The storm benchmark's city: bench/seed.py's units, customers, phones and history, then a supply network
under them with set-based SQL (as bench/grid_trace.py): substations, 10 kV feeders, 4 switches per
feeder each behind a fuse, 5 transformers per fuse, a meter point per customer. Each transformer takes
a contiguous block of customers and the 台区 of its first customer (seed.py's 2,000 台区: several
transformers share one; the prediction does not read the 台区 unless rule rows are scoped to units).

The layout is arithmetic, so the benchmark knows without a query which customers a device feeds: the
ground truth that tells a right link from a wrong one. No dual supply here (it would blur that truth).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from common import log

SWITCHES_PER_FEEDER = 4
TRANSFORMERS_PER_FUSE = 5
FEEDERS_PER_SUBSTATION = 20


@dataclass(frozen=True)
class Layout:
    """Device ids and the customers under each device, from the sizes alone."""

    customers: int
    transformers: int

    @property
    def fuses(self) -> int:
        return self.transformers // TRANSFORMERS_PER_FUSE

    @property
    def feeders(self) -> int:
        return self.fuses // SWITCHES_PER_FEEDER

    @property
    def substations(self) -> int:
        return max(1, -(-self.feeders // FEEDERS_PER_SUBSTATION))

    @property
    def per_transformer(self) -> int:
        return self.customers // self.transformers

    # first id of each level minus one
    @property
    def base_feeder(self) -> int:
        return self.substations

    @property
    def base_switch(self) -> int:
        return self.base_feeder + self.feeders

    @property
    def base_fuse(self) -> int:
        return self.base_switch + self.fuses

    @property
    def base_transformer(self) -> int:
        return self.base_fuse + self.fuses

    @property
    def base_meter(self) -> int:
        return self.base_transformer + self.transformers

    def transformer_of(self, customer: int) -> int:
        """1-based transformer index of a customer (the last transformer takes the remainder)."""
        return min(self.transformers, 1 + (customer - 1) // self.per_transformer)

    def customer_range(self, level: str, index: int) -> tuple[int, int]:
        """First and last customer (inclusive) under device ``index`` (1-based) of ``level``."""
        span = {
            "transformer": 1,
            "fuse": TRANSFORMERS_PER_FUSE,
            "feeder": TRANSFORMERS_PER_FUSE * SWITCHES_PER_FEEDER,
        }
        t_first = (index - 1) * span[level] + 1
        t_last = index * span[level]
        first = (t_first - 1) * self.per_transformer + 1
        last = self.customers if t_last >= self.transformers else t_last * self.per_transformer
        return first, last

    def device_id(self, level: str, index: int) -> int:
        base = {"transformer": self.base_transformer, "fuse": self.base_fuse, "feeder": self.base_feeder}
        return base[level] + index


def layout_for(customers: int, transformers: int) -> Layout:
    """Transformers rounded down to whole feeders (20 a feeder), at least one feeder."""
    per_feeder = TRANSFORMERS_PER_FUSE * SWITCHES_PER_FEEDER
    transformers = max(per_feeder, transformers // per_feeder * per_feeder)
    return Layout(customers=customers, transformers=min(transformers, customers))


def grid_seeded(cur, layout: Layout) -> bool:
    cur.execute(
        "CREATE TABLE IF NOT EXISTS bench_storm_seed (customers bigint, transformers bigint, dirty bool)"
    )
    cur.execute("SELECT customers, transformers, dirty FROM bench_storm_seed")
    row = cur.fetchone()
    cur.execute("SELECT count(*) FROM grid_device WHERE kind = 'transformer'")
    present = cur.fetchone()[0]
    return row == (layout.customers, layout.transformers, False) and present == layout.transformers


def mark_dirty(cur) -> None:
    """A run writes orders and outages: the next run starts from a fresh seed."""
    cur.execute("UPDATE bench_storm_seed SET dirty = true")
    cur.execute("DELETE FROM bench_seed")


def seed_grid(layout: Layout) -> None:
    from django.db import connection, transaction

    from powerdesk.core.appendonly import owner_truncate

    lay = layout
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        # Work a previous run left to the worker names devices of the old network.
        cur.execute("DELETE FROM procrastinate_jobs WHERE status = 'todo'")
        for statement in owner_truncate(
            [
                "TRUNCATE bench_storm_seed, outages_faultcallmark, outages_prediction, outages_energisedproof, "
                "outages_stormmode, outages_outagecall, outages_interruption, outages_outagedevice, "
                "outages_outageevent, outages_etrchange, outages_outagenotice, outages_outage, "
                "customers_customersupply, grid_deviceparenthistory, grid_device RESTART IDENTITY CASCADE"
            ]
        ):
            cur.execute(statement)
        levels = [
            ("substation", "SS", 1, lay.substations, "NULL"),
            (
                "feeder",
                "F",
                lay.base_feeder + 1,
                lay.feeders,
                f"1 + (k - 1) / {FEEDERS_PER_SUBSTATION}",
            ),
            (
                "switch",
                "K",
                lay.base_switch + 1,
                lay.fuses,
                f"{lay.base_feeder} + 1 + (k - 1) / {SWITCHES_PER_FEEDER}",
            ),
            ("fuse", "RD", lay.base_fuse + 1, lay.fuses, f"{lay.base_switch} + k"),
        ]
        for kind, prefix, first, count, parent in levels:
            cur.execute(
                f"""
                INSERT INTO grid_device (id, code, name, kind, parent_id, ownership, area_id)
                SELECT {first} - 1 + k, '{prefix}' || k, '{prefix}' || k, '{kind}', {parent}, '', NULL
                  FROM generate_series(1, {count}) k
                """
            )
        # Each transformer in the 台区 of its first customer.
        cur.execute(
            f"""
            INSERT INTO grid_device (id, code, name, kind, parent_id, ownership, area_id)
            SELECT {lay.base_transformer} + k, 'T' || k, 'T' || k, 'transformer',
                   {lay.base_fuse} + 1 + (k - 1) / {TRANSFORMERS_PER_FUSE}, 'public', c.area_id
              FROM generate_series(1, {lay.transformers}) k
              JOIN customers_customer c ON c.id = (k - 1) * {lay.per_transformer} + 1
            """
        )
        log(f"  substations to transformers: {time.monotonic() - started:.1f} s")
        cur.execute(
            f"""
            INSERT INTO grid_device (id, code, name, kind, parent_id, ownership, area_id)
            SELECT {lay.base_meter} + k, 'MP' || k, 'MP' || k, 'meter_point',
                   {lay.base_transformer} + least({lay.transformers}, 1 + (k - 1) / {lay.per_transformer}),
                   '', NULL
              FROM generate_series(1, {lay.customers}) k
            """
        )
        log(f"  meter points: {time.monotonic() - started:.1f} s")
        cur.execute(
            f"""
            INSERT INTO customers_customersupply (customer_id, meter_point_id, is_primary)
            SELECT k, {lay.base_meter} + k, true FROM generate_series(1, {lay.customers}) k
            """
        )
        for table in ("grid_device", "customers_customersupply"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cur.execute("INSERT INTO bench_storm_seed VALUES (%s, %s, false)", [lay.customers, lay.transformers])
    with connection.cursor() as cur:
        for table in ("grid_device", "customers_customersupply"):
            cur.execute(f"VACUUM ANALYZE {table}")
    log(
        f"seeded the network in {time.monotonic() - started:.1f} s: {lay.substations} substations, "
        f"{lay.feeders:,} feeders, {lay.fuses:,} switches and fuses, {lay.transformers:,} transformers, "
        f"{lay.customers:,} meter points"
    )


def reference_rows() -> None:
    """The seeded reference rows the seed's TRUNCATE … CASCADE reached through their unit (the prediction
    rules): put back as their data migrations wrote them (idempotent)."""
    import importlib

    from django.apps import apps

    for module in (
        "powerdesk.outages.migrations.0002_seed_rules",
        "powerdesk.outages.migrations.0004_seed_prediction_rules",
    ):
        importlib.import_module(module).seed(apps, None)
