"""Re-timing the clocks when the working-day calendar changed: registered on core's ``calendar_changed``
(:data:`powerdesk.core.workdays.calendar_changed`), so it runs inside the transaction that imported or
derived the years, and commits with them or not at all.

Steps of :func:`retime_clocks`:

1. find the clocks that may have counted on a changed year: running or paused, not met, no breach
   recorded (a breach stays as it was recorded), a policy counted in working days, started before the
   last changed year ends and due after the first one starts (a superset: step 3 keeps the ones whose
   due time really moves);
2. per batch of their orders: lock the orders in id order, waiting for whoever holds one (a person's
   transition, a sweep: every writer of a clock holds its order's lock, and the sweep skips an order it
   cannot lock, so the sweep and the re-timing never both move one clock), then read the orders' open
   clocks again, locked;
3. per clock, the due time the calendar now gives (:func:`powerdesk.sla.services.due_time` from its start,
   plus the time it was paused); one whose due time is the same is left alone. A moved clock keeps its
   level (a step taken, a warning sent, is never taken again), and gets its allowed time and its next
   check anew: a next check already past is the sweep's to take at its next run;
4. write the clocks, the orders' due times (the earliest running or breached clock), and one
   ``sla_retimed`` timeline event per order: each moved clock's old and new due time, the changed years
   and why they changed (codes; presented in the reader's language).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from powerdesk.core import bulk, workdays
from powerdesk.core import clock as clock_mod
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.sla import rules, services
from powerdesk.sla.extension import OWNER, RETIMED
from powerdesk.sla.models import Clock, ClockState, LimitUnit, SlaPolicy
from powerdesk.workorders.events import event_write_many
from powerdesk.workorders.models import WorkOrder

BATCH = 500  # orders locked and written per round


@dataclass(slots=True)
class _OrderDue:
    id: int
    due_at: dt.datetime | None


def _movable() -> Q:
    return Q(state__in=[ClockState.RUNNING, ClockState.PAUSED], met_at__isnull=True, breached_at__isnull=True)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _year_start(year: int) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=BUSINESS_TZ)


def on_calendar_changed(change: workdays.CalendarChange) -> None:
    """The ``calendar_changed`` hook: :func:`retime_clocks` now."""
    retime_clocks(change, now=clock_mod.now())


def retime_clocks(change: workdays.CalendarChange, *, now: dt.datetime) -> int:
    """Re-time every clock whose due time the changed years move (see the module doc); how many moved."""
    if not change.years:
        return 0
    policies = set(SlaPolicy.objects.filter(unit=LimitUnit.WORKING_DAYS).values_list("pk", flat=True))
    candidates = (
        Clock.objects.filter(_movable(), policy_id__in=policies)
        .filter(started_at__lt=_year_start(change.years[-1] + 1), due_at__gte=_year_start(change.years[0]))
        .values_list("order_id", flat=True)
        .distinct()
    )
    order_ids = sorted(set(candidates))
    moved = 0
    for i in range(0, len(order_ids), BATCH):
        moved += _retime_orders(order_ids[i : i + BATCH], change, policies, now)
    return moved


def _retime_orders(
    ids: list[int], change: workdays.CalendarChange, policies: set[int], now: dt.datetime
) -> int:
    """Steps 2–4 for one batch of orders."""
    orders = {
        pk: (status, due_at)
        for pk, status, due_at in WorkOrder.objects.filter(pk__in=ids)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", "status", "due_at")
    }
    clocks = list(
        Clock.objects.filter(order_id__in=list(orders), state__in=services.OPEN_STATES)
        .order_by("order_id", "id")
        .select_for_update()
    )
    steps = services.escalation_steps()
    moved: list[Clock] = []
    retimed: dict[int, list[dict[str, Any]]] = {}
    for clock in clocks:
        if clock.policy_id not in policies or clock.met_at or clock.breached_at:
            continue
        if clock.state not in (ClockState.RUNNING, ClockState.PAUSED):
            continue
        policy = services.policy_by_id(clock.policy_id)
        assert policy is not None  # PROTECT: a clock's policy is never deleted
        due = services.due_time(clock.started_at, policy)
        new_due = due + dt.timedelta(seconds=clock.paused_seconds)
        if new_due == clock.due_at:
            continue
        old_due = clock.due_at
        clock.due_at = new_due
        clock.allowed_seconds = rules.allowed_seconds(clock.started_at, due)
        clock.next_check_at = services.clock_next_check(clock, policy, steps)
        moved.append(clock)
        retimed.setdefault(clock.order_id, []).append(
            {
                "kind": clock.kind,
                "policy": clock.policy_id,
                "due_before": _iso(old_due),
                "due_after": _iso(new_due),
            }
        )
    if not moved:
        return 0
    by_order: dict[int, list[Clock]] = {}
    for clock in clocks:
        by_order.setdefault(clock.order_id, []).append(clock)
    dues = [
        _OrderDue(pk, earliest)
        for pk in retimed
        if (earliest := services.earliest_due(by_order[pk])) != orders[pk][1]
    ]
    years = [{"year": year, "reason": reason} for year, reason in sorted(change.reasons.items())]
    bulk.bulk_update(Clock, moved, ["due_at", "allowed_seconds", "next_check_at"])
    bulk.bulk_update(WorkOrder, dues, ["due_at"])
    event_write_many(
        (
            {
                "order_id": pk,
                "kind": RETIMED,
                "from_status": orders[pk][0],
                "to_status": orders[pk][0],
                "data": {"calendar": years, "retimed": changes},
            }
            for pk, changes in retimed.items()
        ),
        at=now,
        actor_id=None,
    )
    return len(moved)


def register() -> None:
    """From ``SlaConfig.ready()``: re-time the clocks whenever the calendar's working days change."""
    workdays.calendar_changed.register(OWNER, "sla.retime_clocks", on_calendar_changed)
