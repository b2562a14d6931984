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


def event_build(
    *,
    order: WorkOrder | None = None,
    order_id: int | None = None,
    kind: str,
    actor: User | None = None,
    actor_id: int | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    request_id: str = "",
    at: dt.datetime | None = None,
) -> WorkOrderEvent:
    """An unsaved event; the order and actor by object or by id."""
    event = WorkOrderEvent(
        kind=kind,
        at=at or clock.now(),
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        request_id=request_id or "",
    )
    if order is not None:
        event.order = order
    else:
        event.order_id = order_id  # type: ignore[assignment]
    if actor is not None:
        event.actor = actor
    else:
        event.actor_id = actor_id  # type: ignore[assignment]
    return event


def event_write(**fields: Any) -> WorkOrderEvent:
    """Write one event (the arguments of :func:`event_build`)."""
    event = event_build(**fields)
    event.save(force_insert=True)
    return event


def event_write_many(rows: Iterable[dict[str, Any]], **same: Any) -> int:
    """Write many events in one statement, in the order given; how many. Each row is a dict of the
    event's fields that differ from row to row (by attname: ``order_id``, ``kind``, ``data`` …); ``same``
    gives those every row shares (``at``, ``actor_id`` …); a field named in neither takes its default."""
    return len(bulk.insert_rows(WorkOrderEvent, list(rows), same=same))
