"""The transitions that hold an order or press it on: suspend and resume, the customer's chase, an
escalation."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from powerdesk.org.models import User
from powerdesk.workorders.choices import Status
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.rules import escalate
from powerdesk.workorders.services.engine import apply_transition, require_text


def workorder_suspend(
    *,
    order: WorkOrder,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    """Suspend the order (挂起) with a reason. What the suspension does to the clocks is the SLA app's: it
    declares the ``reason_code`` input, and only an accepted reason pauses them."""
    reason = require_text(reason, "reason", _("请填写挂起原因。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.status_before_suspend = o.status
        return ["status_before_suspend"], reason

    return apply_transition(
        order=order,
        actor=actor,
        code="suspend",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_resume(
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
        o.status = o.status_before_suspend or Status.DISPATCHED
        o.status_before_suspend = ""
        return ["status", "status_before_suspend"], note

    return apply_transition(
        order=order,
        actor=actor,
        code="resume",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_chase(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    """Count the customer's chase (催办). Whether chases escalate the order is a time-limit policy's: the
    SLA app's transition hook escalates at the count its policy names."""

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.chase_count += 1
        return ["chase_count"], note

    return apply_transition(
        order=order,
        actor=actor,
        code="chase",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_escalate(
    *,
    order: WorkOrder,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    reason = require_text(reason, "reason", _("请填写升级原因。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        return escalate(o), reason

    return apply_transition(
        order=order,
        actor=actor,
        code="escalate",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )
