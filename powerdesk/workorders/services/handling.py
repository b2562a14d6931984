"""The transitions that carry an order through its handling: dispatched to a unit, taken, reached on
site, resolved and replied to, or moved to another unit (transfer, return)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.org.models import Unit, User
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services.engine import (
    apply_transition,
    check_assignee,
    check_dispatch_unit,
    refuse_unless_applies,
    require_text,
    require_unit,
)


def workorder_dispatch(
    *,
    order: WorkOrder,
    actor: User,
    unit: Unit,
    assignee: User | None = None,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    unit = require_unit(unit)

    def change(o: WorkOrder) -> tuple[list[str], str]:
        # Checked after the order's visibility and the role: another unit's order is 404 whatever the input.
        check_dispatch_unit(actor, unit)
        check_assignee(unit, assignee)
        o.unit = unit
        o.assignee = assignee
        o.dispatched_at = clock.now()
        return ["unit", "assignee", "dispatched_at"], note

    return apply_transition(
        order=order,
        actor=actor,
        code="dispatch",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_take(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.assignee = actor
        o.taken_at = clock.now()
        return ["assignee", "taken_at"], note

    return apply_transition(
        order=order,
        actor=actor,
        code="take",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_arrive(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    def change(o: WorkOrder) -> tuple[list[str], str]:
        refuse_unless_applies(o, "arrive")
        o.arrived_at = clock.now()
        return ["arrived_at"], note

    return apply_transition(
        order=order,
        actor=actor,
        code="arrive",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_resolve(
    *,
    order: WorkOrder,
    actor: User,
    result: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    result = require_text(result, "result", _("请填写处理结果。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        refuse_unless_applies(o, "resolve")
        o.result = result
        o.resolved_at = clock.now()
        return ["result", "resolved_at"], result

    return apply_transition(
        order=order,
        actor=actor,
        code="resolve",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_reply(
    *,
    order: WorkOrder,
    actor: User,
    reply_text: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    reply_text = require_text(reply_text, "reply_text", _("请填写回单内容。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.reply_text = reply_text
        o.replied_at = clock.now()
        return ["reply_text", "replied_at"], reply_text

    return apply_transition(
        order=order,
        actor=actor,
        code="reply",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_transfer(
    *,
    order: WorkOrder,
    actor: User,
    unit: Unit,
    reason: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    reason = require_text(reason, "reason", _("请填写转派原因。"))
    unit = require_unit(unit)

    def change(o: WorkOrder) -> tuple[list[str], str]:
        check_dispatch_unit(actor, unit)
        if o.unit_id == unit.pk:
            raise ValidationFailed(_("工单已在该单位，无需转派。"), fields={"unit": [_("请选择其他单位。")]})
        o.unit = unit
        o.assignee = None
        o.dispatched_at = clock.now()
        return ["unit", "assignee", "dispatched_at"], reason

    return apply_transition(
        order=order,
        actor=actor,
        code="transfer",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_return(
    *,
    order: WorkOrder,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    """Send the order back to the unit of the person who took the call (首问负责), with a reason."""
    reason = require_text(reason, "reason", _("请填写回退原因。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.unit_id = o.owner.unit_id or o.unit_id
        o.assignee = None
        return ["unit", "assignee"], reason

    return apply_transition(
        order=order,
        actor=actor,
        code="return",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )
