"""Clocks: started, met, paused and resumed by work-order transitions; run down by the sweep.

The work-order services plan intake clocks with :func:`plan_clocks` (the intake inserts them with the
order) and call :func:`clocks_on_transition` inside their transaction, after locking the order row, so a
clock never changes without its order being locked first (the sweep takes the locks in the same order:
order, then clock).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from powerdesk.core import refcache, workdays
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.sla.models import Clock, ClockState, LimitUnit, SlaPolicy, SuspendReason
from powerdesk.workorders.models import WorkOrder

OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED)


def order_region(order: WorkOrder) -> str:
    unit = order.area or order.unit
    return unit.region_class if unit else ""


def _active_policies() -> list[SlaPolicy]:
    return refcache.get("sla.policies", lambda: list(SlaPolicy.objects.filter(is_active=True)))


def _matches(row: SlaPolicy, dims: dict[str, Any], day: dt.date) -> bool:
    return (
        row.valid_from <= day
        and (row.valid_to is None or row.valid_to >= day)
        and row.business_type in ("", dims["business_type"])
        and row.sub_type_id in (None, dims["sub_type_id"])
        and row.channel in ("", dims["channel"])
        and row.region_class in ("", dims["region_class"])
        and row.customer_type in ("", dims["customer_type"])
    )


def policies_for(order: WorkOrder, *, trigger: str, at: dt.datetime) -> list[SlaPolicy]:
    """The policy row for each clock kind that ``trigger`` starts on ``order``: the most specific
    match wins (sub-type, channel, region, customer type each count one), then the newest valid_from.

    Reads the active rows from the per-process reference cache (:mod:`powerdesk.core.refcache`)."""
    day = at.astimezone(BUSINESS_TZ).date()
    customer = order.customer if order.customer_id else None
    dims = {
        "business_type": order.business_type,
        "sub_type_id": order.sub_type_id,
        "channel": order.channel,
        "region_class": order_region(order),
        "customer_type": customer.customer_type if customer is not None else "",
    }
    best: dict[str, SlaPolicy] = {}
    for row in _active_policies():
        if row.starts_on != trigger or not _matches(row, dims, day):
            continue
        key = (row.specificity, bool(row.business_type), row.valid_from, row.pk)
        current = best.get(row.clock_kind)
        if current is None or key > (
            current.specificity,
            bool(current.business_type),
            current.valid_from,
            current.pk,
        ):
            best[row.clock_kind] = row
    return list(best.values())


def due_time(start: dt.datetime, policy: SlaPolicy) -> dt.datetime:
    if policy.unit == LimitUnit.MINUTES:
        return start + dt.timedelta(minutes=policy.amount)
    if policy.unit == LimitUnit.HOURS:
        return start + dt.timedelta(hours=policy.amount)
    if policy.unit == LimitUnit.DAYS:
        return start + dt.timedelta(days=policy.amount)
    return workdays.add_working_days(start, policy.amount)


def _steps() -> list[Any]:
    from powerdesk.sla.models import EscalationStep

    return refcache.get("sla.steps", lambda: list(EscalationStep.objects.order_by("level")))


def _triggers() -> set[str]:
    """The transition codes (and "intake") that start some clock; other transitions skip the look-up."""
    return {p.starts_on for p in _active_policies()}


def next_check(clock: Clock, steps: list[Any] | None = None) -> dt.datetime | None:
    """When the next escalation step of ``clock`` falls due (None: all taken, or not running)."""
    if clock.state not in (ClockState.RUNNING, ClockState.BREACHED) or clock.met_at is not None:
        return None
    for step in steps if steps is not None else _steps():
        if step.level > clock.level:
            return clock.started_at + dt.timedelta(
                seconds=clock.paused_seconds + float(step_ratio(step, clock.policy)) * clock.allowed_seconds
            )
    return None


def step_ratio(step: Any, policy: SlaPolicy) -> Decimal:
    """A step before the deadline (ratio < 1) is the warning: the policy's own warn_ratio sets when."""
    return Decimal(policy.warn_ratio) if step.at_ratio < 1 else Decimal(step.at_ratio)


def plan_clocks(
    order: WorkOrder, trigger: str, at: dt.datetime, *, running: set[str] | frozenset[str] = frozenset()
) -> list[Clock]:
    """The clocks ``trigger`` starts on ``order`` at ``at``, not saved: one per clock kind whose policy
    matches, except kinds in ``running`` (a clock of that kind is still open)."""
    if trigger not in _triggers():
        return []
    steps = _steps()
    planned = []
    for policy in policies_for(order, trigger=trigger, at=at):
        if policy.clock_kind in running:
            continue
        due = due_time(at, policy)
        clock = Clock(
            order=order,
            policy=policy,
            kind=policy.clock_kind,
            state=ClockState.RUNNING,
            started_at=at,
            due_at=due,
            allowed_seconds=max(1, int((due - at).total_seconds())),
        )
        clock.next_check_at = next_check(clock, steps)
        planned.append(clock)
    return planned


def clock_summary(clocks: list[Clock]) -> list[dict[str, Any]]:
    """What the timeline event of the transition that started ``clocks`` records about them."""
    return [{"kind": c.kind, "due_at": c.due_at.isoformat(), "policy": c.policy_id} for c in clocks]


def suspend_pauses(reason_code: str | None) -> bool:
    if not reason_code:
        return False
    reason = SuspendReason.objects.filter(code=reason_code, is_active=True).first()
    return bool(reason and reason.pauses_clocks)


def clocks_on_transition(
    order: WorkOrder, code: str, at: dt.datetime, *, pause: bool = False
) -> list[dict[str, Any]]:
    """Apply a transition to the order's clocks; returns what changed, for the timeline event.

    - a clock whose policy lists ``code`` in ``stops_on`` is met;
    - ``suspend`` with an accepted reason (``pause``) pauses running clocks; ``resume`` pushes their due
      times by the paused span;
    - ``merge``/``archive``/``answer`` cancel clocks left open;
    - policies that start on ``code`` start new clocks.
    """
    changes: list[dict[str, Any]] = []
    # of=self: lock the order's clocks, not the policy rows they join (shared by every order).
    clocks = list(
        order.clocks.select_related("policy").select_for_update(of=("self",)).filter(state__in=OPEN_STATES)
    )
    steps = _steps()
    for clock in clocks:
        before = clock.state
        if code in clock.policy.stops_on:
            clock.met_at = at
            clock.state = ClockState.MET
            clock.next_check_at = None
        elif code == "suspend" and pause and clock.state in (ClockState.RUNNING, ClockState.BREACHED):
            clock.paused_at = at
            clock.state = ClockState.PAUSED
            clock.next_check_at = None
        elif code == "resume" and clock.state == ClockState.PAUSED and clock.paused_at is not None:
            span = at - clock.paused_at
            clock.paused_seconds += int(span.total_seconds())
            clock.due_at = clock.due_at + span
            clock.paused_at = None
            clock.state = ClockState.BREACHED if clock.breached_at else ClockState.RUNNING
            clock.next_check_at = next_check(clock, steps)
        elif code in ("merge", "archive", "answer"):
            clock.state = ClockState.CANCELLED
            clock.next_check_at = None
        else:
            continue
        clock.save(
            update_fields=["met_at", "state", "next_check_at", "paused_at", "paused_seconds", "due_at"]
        )
        changes.append(
            {"kind": clock.kind, "from": before, "to": clock.state, "due_at": clock.due_at.isoformat()}
        )
    # The clocks read above are all the order's open ones (the order is locked): which kinds are still
    # open, and the earliest due time, follow from them and the new ones without reading them again.
    still_open = {c.kind for c in clocks if c.state in OPEN_STATES}
    started = plan_clocks(order, code, at, running=still_open)
    for clock in started:
        clock.save()
        changes.append(
            {"kind": clock.kind, "from": "", "to": clock.state, "due_at": clock.due_at.isoformat()}
        )
    due = [c.due_at for c in (*clocks, *started) if c.state in (ClockState.RUNNING, ClockState.BREACHED)]
    order.due_at = min(due, default=None)
    return changes


def chase_escalation_threshold(order: WorkOrder) -> int | None:
    """The smallest "escalate after N chases" among the policies of the order's open clocks."""
    values = [
        c.policy.chase_escalate_at
        for c in order.clocks.select_related("policy").filter(state__in=OPEN_STATES)
        if c.policy.chase_escalate_at
    ]
    return min(values) if values else None
