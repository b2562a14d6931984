"""The one writer of timeline events: every state change and note goes through here (one event each),
one at a time (:func:`event_write`) or a batch at once (:func:`event_write_many`, the sweep's form).

Events store codes and data, not sentences: the kind, the actor, the statuses, the before/after of what
changed and the codes of whatever else happened; the timeline presenter
(:mod:`powerdesk.workorders.timeline`) renders them in the reader's language when they are read. A note
is what a person wrote (a reason, a result), never text the system composed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from powerdesk.core import bulk, clock
from powerdesk.org.models import User
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent


def event_write(
    *,
    order: WorkOrder,
    kind: str,
    actor: User | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    at: dt.datetime | None = None,
) -> int:
    """Write one event of ``order``; its id."""
    row = event_row(
        order=order,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        at=at,
    )
    [pk] = bulk.insert_rows(WorkOrderEvent, [row])
    return pk


def event_row(
    *,
    order: WorkOrder,
    kind: str,
    actor: User | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The row of one event of ``order`` as :func:`event_write` writes it, for a caller that writes it in
    one statement with rows of other tables (``core.bulk.insert_together``: the intake's event and
    contact)."""
    return {
        "order_id": order.pk,
        # The order's company when the order at hand has it loaded: the insert trigger then has nothing
        # to look up (it fills the column from the order only when it comes empty).
        "company_id": loaded_company_id(order),
        "kind": kind,
        "actor_id": actor.pk if actor is not None else None,
        "at": at or clock.now(),
        "from_status": from_status,
        "to_status": to_status,
        "note": note,
        "data": data or {},
        "request_id": request_id or "",
        "request_fingerprint": request_fingerprint if request_id else "",
    }


def loaded_company_id(order: WorkOrder) -> int | None:
    """``order.company_id`` if the instance holds it, else None (never a query for a deferred field: the
    rows under an order get the company from the order by an insert trigger when they carry none)."""
    return order.__dict__.get("company_id")


def event_write_many(rows: Iterable[dict[str, Any]], **same: Any) -> int:
    """Write many events in one statement, in the order given; how many. Each row is a dict of the
    event's fields that differ from row to row (by attname: ``order_id``, ``kind``, ``data`` …); ``same``
    gives those every row shares (``at``, ``actor_id`` …); a field named in neither takes its default."""
    return len(bulk.insert_rows(WorkOrderEvent, list(rows), same=same))
