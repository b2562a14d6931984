"""Reads of the topology: tracing down (devices below) and up (devices above), now or as of a past time.

The customer side (customers below a device, the supply path of a customer) lives in
``powerdesk.customers.supply``: this app sits below customers and never imports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet

from powerdesk.grid.models import Device, DeviceParentHistory


def as_devices(devices: Device | Iterable[Device]) -> list[Device]:
    return [devices] if isinstance(devices, Device) else list(devices)


def below_q(devices: Device | Iterable[Device], *, prefix: str = "") -> Q:
    """A filter for the rows at or below ``devices``: ``{prefix}path`` starts with one of their paths (the
    ``grid_device_path`` index serves each). Matches nothing for no devices."""
    q = Q(pk__in=[])
    field = f"{prefix}path__startswith"
    for device in as_devices(devices):
        q |= Q(**{field: device.path})
    return q


def devices_below(devices: Device | Iterable[Device]) -> QuerySet[Device]:
    """Every device at or below ``devices`` in the tree as it is now."""
    return Device.objects.filter(below_q(devices))


def devices_above(device: Device) -> QuerySet[Device]:
    """The devices above ``device``, root first (its own path names them: one indexed lookup)."""
    return Device.objects.filter(pk__in=device.ancestor_ids()).order_by("path")


def device_ids_below_at(devices: Device | Iterable[Device], at: dt.datetime) -> list[int]:
    """The ids at or below ``devices`` in the tree as it was at ``at``. Without a re-parenting since then,
    the paths are the answer. Otherwise each device moved since ``at`` takes the old parent of its first
    later move, and the tree is walked from the roots (a recursive query: slower, and rare)."""
    roots = as_devices(devices)
    if not roots:
        return []
    if not DeviceParentHistory.objects.filter(at__gt=at).exists():
        return list(devices_below(roots).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE moved AS (
                SELECT DISTINCT ON (device_id) device_id, old_parent_id AS parent_id
                  FROM grid_deviceparenthistory WHERE at > %(at)s ORDER BY device_id, at, id
            ), edges AS (
                SELECT d.id, d.parent_id FROM grid_device d
                 WHERE NOT EXISTS (SELECT 1 FROM moved m WHERE m.device_id = d.id)
                UNION ALL
                SELECT device_id, parent_id FROM moved
            ), tree(id) AS (
                SELECT unnest(%(roots)s::bigint[])
                UNION
                SELECT e.id FROM edges e JOIN tree t ON e.parent_id = t.id
            )
            SELECT id FROM tree
            """,
            {"at": at, "roots": [d.pk for d in roots]},
        )
        return [row[0] for row in cursor.fetchall()]
