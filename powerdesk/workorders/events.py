"""Writers of timeline events: every state change and note goes through here (one event each)."""

from __future__ import annotations

from typing import Any

from powerdesk.core import clock
from powerdesk.org.models import User
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent


def event_write(
    *,
    order: WorkOrder,
    kind: str,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    request_id: str = "",
    at=None,
) -> WorkOrderEvent:
    return WorkOrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=actor,
        at=at or clock.now(),
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        request_id=request_id or "",
    )
