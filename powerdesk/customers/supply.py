"""Tracing between customers and the grid: the customers below devices (now, or as of a past time), the
devices above a customer, each supply's path, and who is out when devices are (dual supply honoured).

Customers sit above the grid app, so the link (``CustomerSupply``) and these reads live here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from powerdesk.customers.models import Customer, CustomerSupply
from powerdesk.grid import rules
from powerdesk.grid import selectors as grid
from powerdesk.grid.models import Device, DeviceKind


def customers_below(devices: Device | Iterable[Device], at: dt.datetime | None = None) -> QuerySet[Customer]:
    """Customers with a supply at or below ``devices``: in the tree as it is now, or as it was at ``at``
    (re-parentings since then undone from their history). Includes dual-supply customers fed from
    elsewhere too: see :func:`customers_out` for who actually loses power."""
    if at is None:
        supplies = CustomerSupply.objects.filter(grid.below_q(devices, prefix="meter_point__"))
    else:
        supplies = CustomerSupply.objects.filter(meter_point_id__in=grid.device_ids_below_at(devices, at))
    return Customer.objects.filter(pk__in=supplies.values("customer_id"))


def devices_above(customer: Customer) -> QuerySet[Device]:
    """Every device above any of the customer's supplies (meter points included), root first."""
    ids: set[int] = set()
    for path in CustomerSupply.objects.filter(customer=customer).values_list("meter_point__path", flat=True):
        ids.update(rules.path_ids(path))
    return Device.objects.filter(pk__in=ids).order_by("path")


def supply_path(customer: Customer) -> list[list[Device]]:
    """One chain per supply, substation first and meter point last (the primary supply first)."""
    supplies = list(
        CustomerSupply.objects.filter(customer=customer)
        .select_related("meter_point")
        .order_by("-is_primary", "id")
    )
    ids = {i for s in supplies for i in rules.path_ids(s.meter_point.path)}
    by_id = Device.objects.select_related("area").in_bulk(ids)
    return [[by_id[i] for i in rules.path_ids(s.meter_point.path) if i in by_id] for s in supplies]


def transformer_of(customer: Customer) -> Device | None:
    """The distribution transformer of the customer's primary supply (its 台区 follows from it)."""
    for chain in supply_path(customer):
        for device in reversed(chain):
            if device.kind == DeviceKind.TRANSFORMER:
                return device
    return None


def customers_out(devices: Device | Iterable[Device]) -> QuerySet[Customer]:
    """Customers who lose power when ``devices`` are out: every one of their supplies lies below one of
    them (``rules.customer_is_out``), so a dual-supply customer still fed from elsewhere is not."""
    roots = grid.as_devices(devices)
    prefixes = [d.path for d in roots]
    # Two plain reads rather than one nested query: on tables just loaded (no statistics yet) the planner
    # turned the nested form into a nested loop of LIKEs that ran for minutes.
    candidates = list(
        CustomerSupply.objects.filter(grid.below_q(roots, prefix="meter_point__"))
        .order_by()
        .values_list("customer_id", flat=True)
        .distinct()
    )
    paths: dict[int, list[str]] = defaultdict(list)
    rows = (
        CustomerSupply.objects.filter(customer_id__in=candidates)
        .order_by()
        .values_list("customer_id", "meter_point__path")
    )
    for customer_id, path in rows:
        paths[customer_id].append(path)
    out = [cid for cid, ps in paths.items() if rules.customer_is_out(rules.is_below(p, prefixes) for p in ps)]
    return Customer.objects.filter(pk__in=out)


def customer_counts(devices: Sequence[Device]) -> dict[int, int]:
    """How many customers have a supply at or below each of ``devices`` (one query for a level of the
    tree: each device's path prefix joined to the meter points below it)."""
    if not devices:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d.id, count(DISTINCT s.customer_id)
              FROM grid_device d
              -- "m.path starts with d.path" as a range the text_pattern_ops index serves per row of d
              -- (a LIKE with a computed pattern is not): paths hold digits and '/', and ':' sorts
              -- right after the digits.
              JOIN grid_device m ON m.path ~>=~ d.path AND m.path ~<~ (d.path || ':')
                                AND m.kind = 'meter_point'
              JOIN customers_customersupply s ON s.meter_point_id = m.id
             WHERE d.id = ANY(%s)
             GROUP BY d.id
            """,
            [[d.pk for d in devices]],
        )
        return dict(cursor.fetchall())


def register() -> None:
    from django.utils.translation import gettext_lazy

    from powerdesk.grid.extensions import TreeColumn, tree_columns

    tree_columns.register("customers", "customers.count", TreeColumn(gettext_lazy("用户数"), customer_counts))
    register_panel()


def _supply_panel(request: Any, customer: Customer) -> dict[str, Any] | None:
    chains = supply_path(customer)
    return {"chains": chains} if chains else None


def register_panel() -> None:
    from powerdesk.core.extensions import Panel
    from powerdesk.customers.extensions import customer_panels

    # The agent sees where the caller is fed from: the transformer's 台区 and its manager, the feeder.
    customer_panels.register(
        "customers",
        "customers.supply_path",
        Panel(slot="main", template="customers/_supply_path.html", context=_supply_panel),
        position=3,
    )
