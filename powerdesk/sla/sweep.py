"""The breach sweep: run every 30 s by the worker, safe with several workers at once.

Steps of :func:`sweep`:

1. read up to ``batch`` clocks whose ``next_check_at`` has passed (partial index: the cost follows the
   clocks that are due, not the open orders);
2. lock their orders in id order with ``SKIP LOCKED`` — an order a person is changing right now, or that
   another sweep holds, is left for the next cycle — then lock those clocks (always order, then clock: the
   same order the work-order services use, so the two never deadlock);
3. re-check each clock under the lock and take every escalation step now due: one timeline event per step,
   notifications enqueued in the same transaction with a de-duplication key per clock and step, priority
   raised when the step says so, the breach recorded at the deadline;
4. store the clock's level and its next check time, so a step is never taken twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from powerdesk.core import clock as clock_mod
from powerdesk.sla.models import Clock, ClockState, EscalationStep, UnitHead
from powerdesk.sla.services import next_check, refresh_order_due, step_ratio
from powerdesk.workorders.choices import EventKind, Priority
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import WorkOrder


@dataclass
class SweepResult:
    examined: int = 0
    steps_taken: int = 0
    breached: int = 0
    skipped_locked: int = 0
    notifications: int = 0
    details: list[dict[str, Any]] = field(default_factory=list)


def _due_clock_ids(now: dt.datetime, batch: int) -> list[tuple[int, int]]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, order_id FROM sla_clock WHERE next_check_at IS NOT NULL AND next_check_at <= %s "
            "ORDER BY next_check_at LIMIT %s",
            [now, batch],
        )
        return list(cur.fetchall())


def _lock_orders(order_ids: list[int]) -> set[int]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM workorders_workorder WHERE id = ANY(%s) ORDER BY id FOR UPDATE SKIP LOCKED",
            [order_ids],
        )
        return {row[0] for row in cur.fetchall()}


def sweep(*, now: dt.datetime | None = None, batch: int = 1000) -> SweepResult:
    now = now or clock_mod.now()
    result = SweepResult()
    steps = list(EscalationStep.objects.order_by("level"))
    if not steps:
        return result
    with transaction.atomic():
        due = _due_clock_ids(now, batch)
        if not due:
            return result
        locked = _lock_orders(sorted({order_id for _, order_id in due}))
        result.skipped_locked = sum(1 for _, oid in due if oid not in locked)
        clocks = list(
            Clock.objects.select_for_update(of=("self",))
            .select_related("policy", "order", "order__unit", "order__unit__parent", "order__assignee", "order__owner")
            .filter(id__in=[cid for cid, oid in due if oid in locked], next_check_at__lte=now)
            .order_by("order_id", "id")
        )
        heads = _unit_heads({c.order.unit_id for c in clocks} | {c.order.unit.parent_id for c in clocks})
        touched: dict[int, WorkOrder] = {}
        for clk in clocks:
            result.examined += 1
            order = touched.setdefault(clk.order_id, clk.order)
            for step in steps:
                if step.level <= clk.level:
                    continue
                at = clk.started_at + dt.timedelta(
                    seconds=clk.paused_seconds + float(step_ratio(step, clk.policy)) * clk.allowed_seconds
                )
                if at > now:
                    break
                _take_step(clk, order, step, now, heads, result)
            clk.next_check_at = next_check(clk, steps)
            clk.save(update_fields=["level", "state", "breached_at", "next_check_at"])
        for order in touched.values():
            refresh_order_due(order)
            order.version += 1
            order.updated_at = now
            order.save(update_fields=["priority", "is_flagged", "escalation_level", "due_at", "version", "updated_at"])
    return result


def _unit_heads(unit_ids: set[int | None]) -> dict[int, Any]:
    return {h.unit_id: h.user for h in UnitHead.objects.select_related("user").filter(unit_id__in=unit_ids - {None})}


def _recipient(step: EscalationStep, order: WorkOrder, heads: dict[int, Any]) -> Any:
    if step.action == EscalationStep.Action.NOTIFY_HANDLER:
        return order.assignee or order.owner
    if step.action == EscalationStep.Action.NOTIFY_UNIT_HEAD:
        return heads.get(order.unit_id)
    return heads.get(order.unit.parent_id) if order.unit.parent_id else None


def _take_step(clk: Clock, order: WorkOrder, step: EscalationStep, now: dt.datetime, heads: dict[int, Any],
               result: SweepResult) -> None:
    before = {"priority": order.priority, "clock_state": clk.state, "level": clk.level}
    is_breach = step.at_ratio >= 1 and clk.breached_at is None
    if is_breach:
        clk.breached_at = clk.due_at
        clk.state = ClockState.BREACHED
        result.breached += 1
    if step.raise_priority and order.priority < Priority.URGENT:
        order.priority += 1
    if step.action != EscalationStep.Action.NOTIFY_HANDLER:
        order.escalation_level = max(order.escalation_level, step.level - 1)
        order.is_flagged = True
    clk.level = step.level
    recipient = _recipient(step, order, heads)
    kind = EventKind.SLA_BREACH if is_breach else (
        EventKind.SLA_WARNING if step.at_ratio < 1 else EventKind.SLA_ESCALATION)
    sent = _notify(step, clk, order, recipient)
    result.notifications += sent
    event_write(
        order=order, kind=kind, actor=None, from_status=order.status, to_status=order.status,
        note=f"{clk.get_kind_display()}：{clk.policy.name}",
        data={"clock": clk.kind, "due_at": clk.due_at.isoformat(), "step": step.level, "action": step.action,
              "recipient": getattr(recipient, "username", None), "notified": bool(sent),
              "before": before, "after": {"priority": order.priority, "clock_state": clk.state, "level": clk.level}},
        at=now,
    )
    result.steps_taken += 1
    result.details.append({"order": order.number, "clock": clk.kind, "step": step.level})


def _notify(step: EscalationStep, clk: Clock, order: WorkOrder, recipient: Any) -> int:
    if recipient is None:
        return 0
    from powerdesk.notify.services import notification_enqueue

    channel, address = ("sms", recipient.phone) if getattr(recipient, "phone", "") else ("email", recipient.email)
    if not address:
        return 0
    context = {
        "order_number": order.number, "clock": str(clk.get_kind_display()), "policy": clk.policy.name,
        "due_at": clk_local(clk.due_at), "unit": order.unit.name, "recipient": getattr(recipient, "display_name", ""),
        "business_type": str(order.get_business_type_display()),
    }
    n = notification_enqueue(channel=channel, template_code=step.template_code, context=context,
                             recipient_user=recipient, recipient_address=address, order=order,
                             dedupe_key=f"clock:{clk.pk}:step:{step.level}")
    return 1 if n is not None else 0


def clk_local(value: dt.datetime) -> str:
    return value.astimezone(clock_mod.BUSINESS_TZ).strftime("%Y-%m-%d %H:%M")
