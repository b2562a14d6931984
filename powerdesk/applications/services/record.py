"""The one write every application change ends with: the order's version bumped (so a form or an API
client holding the old version gets a conflict), its due time refreshed when clocks moved, and the
change's one timeline event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from powerdesk.org.models import User
from powerdesk.sla import services as sla_services
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import WorkOrder

# Event kinds this app writes (labels in extension.py, the customer's wording in portal/rules.py).
STARTED = "app_started"
STEP_DONE = "app_step_done"
STEP_RETURNED = "app_step_returned"
DOCUMENT_REQUESTED = "app_doc_requested"
DOCUMENT_RECEIVED = "app_doc_received"
KIND_CHANGED = "app_kind_changed"


def order_changed(
    *,
    order: WorkOrder,
    kind: str,
    actor: User,
    at: dt.datetime,
    data: dict[str, Any],
    note: str = "",
    clocks_moved: bool = False,
) -> None:
    """Record a change of the application on its (locked) order. Steps:

    1. with ``clocks_moved``, the order's due time becomes its earliest open clock's (sla's rule);
    2. the version goes up by one and ``updated_at`` to ``at``; the row is saved;
    3. one event of ``kind`` (the order's status unchanged: an application moves within it)."""
    fields = ["version", "updated_at"]
    if clocks_moved:
        order.due_at = sla_services.earliest_due(order.clocks.filter(state__in=sla_services.OPEN_STATES))
        fields.append("due_at")
    order.version += 1
    order.updated_at = at
    order.save(update_fields=fields)
    event_write(
        order=order,
        kind=kind,
        actor=actor,
        from_status=order.status,
        to_status=order.status,
        note=note,
        data=data,
        at=at,
    )
