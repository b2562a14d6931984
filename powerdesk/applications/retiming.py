"""Re-timing the applications' clocks when the working-day calendar changed (core's ``calendar_changed``,
in the transaction that changed it). sla's own re-timing leaves these clocks alone: their limits are the
step templates', not their policy row's. Steps, per batch of orders (locked in id order, as every writer of
a clock does):

1. the open, unmet, unbreached clocks of the applications' kinds whose span touches a changed year;
2. each one's due time again from its start: a step clock by its step's limit, the whole-process clock by
   its kind's, plus the time it was paused; the step's shown due time with it;
3. one ``app_retimed`` event per order that moved (the clocks' old and new due times, as codes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from powerdesk.applications import rules
from powerdesk.applications.models import Application, ApplicationStep
from powerdesk.core import clock, workdays
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.sla import services as sla_services
from powerdesk.sla.models import Clock, ClockKind, ClockState
from powerdesk.workorders.events import event_write_many
from powerdesk.workorders.models import WorkOrder

RETIMED = "app_retimed"
BATCH = 500


def _year_start(year: int) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=BUSINESS_TZ)


def retime_application_clocks(change: workdays.CalendarChange) -> int:
    """Move the applications' clocks the changed years move; how many moved."""
    if not change.years:
        return 0
    candidates = Clock.objects.filter(
        kind__in=[ClockKind.APP_STEP, ClockKind.APP_PROCESS],
        state__in=[ClockState.RUNNING, ClockState.PAUSED],
        met_at__isnull=True,
        breached_at__isnull=True,
        started_at__lt=_year_start(change.years[-1] + 1),
        due_at__gte=_year_start(change.years[0]),
    )
    order_ids = sorted(set(candidates.values_list("order_id", flat=True)))
    moved = 0
    for i in range(0, len(order_ids), BATCH):
        moved += _retime(order_ids[i : i + BATCH])
    return moved


def _retime(order_ids: list[int]) -> int:
    statuses = dict(
        WorkOrder.objects.filter(pk__in=order_ids)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", "status")
    )
    limits: dict[int, int] = {}  # clock id → working days
    steps: dict[int, ApplicationStep] = {}
    for step in ApplicationStep.objects.filter(
        application__order_id__in=order_ids, clock__isnull=False
    ).select_related("template"):
        assert step.clock_id is not None
        limits[step.clock_id] = step.template.limit_days
        steps[step.clock_id] = step
    for application in Application.objects.filter(
        order_id__in=order_ids, process_clock__isnull=False
    ).select_related("kind"):
        assert application.process_clock_id is not None
        limits[application.process_clock_id] = application.kind.process_limit_days
    changes: dict[int, list[dict[str, Any]]] = {}
    for target in (
        Clock.objects.filter(pk__in=list(limits)).select_related("policy").select_for_update(of=("self",))
    ):
        if target.state not in (ClockState.RUNNING, ClockState.PAUSED) or target.met_at or target.breached_at:
            continue
        due = rules.step_due(target.started_at, limits[target.pk], workdays.is_workday)
        new_due = due + dt.timedelta(seconds=target.paused_seconds)
        if new_due == target.due_at:
            continue
        changes.setdefault(target.order_id, []).append(
            {"kind": target.kind, "due_before": target.due_at.isoformat(), "due_after": new_due.isoformat()}
        )
        target.due_at = new_due
        target.allowed_seconds = sla_services.rules.allowed_seconds(target.started_at, due)
        target.next_check_at = sla_services.clock_next_check(target, target.policy)
        target.save(update_fields=["due_at", "allowed_seconds", "next_check_at"])
        if target.pk in steps:  # the step's shown due time is its clock's
            steps[target.pk].due_at = new_due
            steps[target.pk].save(update_fields=["due_at"])
    for order in WorkOrder.objects.filter(pk__in=list(changes)):
        order.due_at = sla_services.earliest_due(order.clocks.filter(state__in=sla_services.OPEN_STATES))
        order.save(update_fields=["due_at"])
    event_write_many(
        (
            {
                "order_id": pk,
                "kind": RETIMED,
                "from_status": statuses[pk],
                "to_status": statuses[pk],
                "data": {"retimed": moved},
            }
            for pk, moved in changes.items()
        ),
        at=clock.now(),
        actor_id=None,
    )
    return sum(len(v) for v in changes.values())


def on_calendar_changed(change: workdays.CalendarChange) -> None:
    """The ``calendar_changed`` hook: :func:`retime_application_clocks` now."""
    retime_application_clocks(change)


def register() -> None:
    workdays.calendar_changed.register("applications", "applications.retime", on_calendar_changed)
