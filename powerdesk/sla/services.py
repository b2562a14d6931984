"""Clocks: started, met, paused and resumed by work-order transitions; run down by the sweep.

The work-order services call :func:`clocks_on_intake` and :func:`clocks_on_transition` inside their
transaction, after locking the order row, so a clock never changes without its order being locked
first (the sweep takes the locks in the same order: order, then clock).
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from django.db.models import Q

from powerdesk.core import workdays
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.sla.models import Clock, ClockState, LimitUnit, SlaPolicy, SuspendReason
from powerdesk.workorders.models import WorkOrder

OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED)


def order_region(order: WorkOrder) -> str:
    unit = order.area or order.unit
    return unit.region_class if unit else ""


def policies_for(order: WorkOrder, *, trigger: str, at: dt.datetime) -> list[SlaPolicy]:
    """The policy row for each clock kind that ``trigger`` starts on ``order``: the most specific
    match wins (sub-type, channel, region, customer type each count one), then the newest valid_from."""
    day = at.astimezone(BUSINESS_TZ).date()
    customer = order.customer if order.customer_id else None
    customer_type = customer.customer_type if customer is not None else ""
    rows = SlaPolicy.objects.filter(
        Q(business_type="") | Q(business_type=order.business_type),
        Q(sub_type__isnull=True) | Q(sub_type_id=order.sub_type_id),
        Q(channel="") | Q(channel=order.channel),
        Q(region_class="") | Q(region_class=order_region(order)),
        Q(customer_type="") | Q(customer_type=customer_type),
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        is_active=True,
        starts_on=trigger,
        valid_from__lte=day,
    )
    best: dict[str, SlaPolicy] = {}
    for row in rows:
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


_CACHE_SECONDS = 60
_cache: dict[str, tuple[float, Any]] = {}


def clear_caches() -> None:
    """Forget the cached escalation steps and policy triggers (the admin calls this on save)."""
    _cache.clear()


def _cached(key: str, load: Any) -> Any:
    """Small reference tables read on every transition, kept per process for a minute."""
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is None or now - hit[0] > _CACHE_SECONDS:
        hit = _cache[key] = (now, load())
    return hit[1]


def _steps() -> list[Any]:
    from powerdesk.sla.models import EscalationStep

    return _cached("steps", lambda: list(EscalationStep.objects.order_by("level")))


def _triggers() -> set[str]:
    """The transition codes (and "intake") that start some clock: other transitions skip the policy query."""
    return _cached(
        "triggers", lambda: set(SlaPolicy.objects.filter(is_active=True).values_list("starts_on", flat=True))
    )


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


def _start(order: WorkOrder, policy: SlaPolicy, at: dt.datetime, steps: list[Any]) -> Clock:
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
    clock.save()
    return clock


def _start_for(order: WorkOrder, trigger: str, at: dt.datetime) -> list[Clock]:
    if trigger not in _triggers():
        return []
    policies = policies_for(order, trigger=trigger, at=at)
    if not policies:
        return []
    running = set(order.clocks.filter(state__in=OPEN_STATES).values_list("kind", flat=True))
    steps = _steps()
    return [_start(order, p, at, steps) for p in policies if p.clock_kind not in running]


def refresh_order_due(order: WorkOrder) -> None:
    """Keep ``WorkOrder.due_at`` = the earliest due time of its running clocks (lists sort on it)."""
    first = (
        order.clocks.filter(state__in=(ClockState.RUNNING, ClockState.BREACHED)).order_by("due_at").first()
    )
    order.due_at = first.due_at if first else None


def clocks_on_intake(order: WorkOrder, at: dt.datetime) -> list[dict[str, Any]]:
    started = _start_for(order, "intake", at)
    refresh_order_due(order)
    return [{"kind": c.kind, "due_at": c.due_at.isoformat(), "policy": c.policy_id} for c in started]


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
    for clock in _start_for(order, code, at):
        changes.append(
            {"kind": clock.kind, "from": "", "to": clock.state, "due_at": clock.due_at.isoformat()}
        )
    refresh_order_due(order)
    return changes


def chase_escalation_threshold(order: WorkOrder) -> int | None:
    """The smallest "escalate after N chases" among the policies of the order's open clocks."""
    values = [
        c.policy.chase_escalate_at
        for c in order.clocks.select_related("policy").filter(state__in=OPEN_STATES)
        if c.policy.chase_escalate_at
    ]
    return min(values) if values else None
