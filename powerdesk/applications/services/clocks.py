"""The applications' clocks: a utility-side step runs one of kind ``app_step`` with the step's own limit;
the application runs one of kind ``app_process`` with the kind's whole-process limit, paused while a
customer-side step runs. Callers hold the order's row lock (order, then clock)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from powerdesk.applications import rules
from powerdesk.applications.models import (
    Application,
    ApplicationState,
    ApplicationStep,
    StepSide,
    StepState,
    StepTemplate,
)
from powerdesk.core import workdays
from powerdesk.core.errors import ValidationFailed
from powerdesk.sla import services as sla_services
from powerdesk.sla.models import Clock, ClockKind, ClockState, SlaPolicy
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import WorkOrder


def _policy(kind: str) -> SlaPolicy:
    """The SLA policy row behind the applications' clocks of ``kind`` (seeded by applications 0002): it
    names the clocks and their warning ratio; each clock's due time comes from the step template."""
    policy = (
        SlaPolicy.objects.filter(clock_kind=kind, business_type=BusinessType.APPLICATION, is_active=True)
        .order_by("-valid_from", "-pk")
        .first()
    )
    if policy is None:
        raise ValidationFailed(_("缺少业务办理时限规则，请联系管理员。"))
    return policy


def clock_new(order: WorkOrder, kind: str, start: dt.datetime, limit_days: int) -> Clock:
    policy = _policy(kind)
    due = rules.step_due(start, limit_days, workdays.is_workday)
    new = Clock(
        order=order,
        policy=policy,
        kind=kind,
        state=ClockState.RUNNING,
        started_at=start,
        due_at=due,
        allowed_seconds=sla_services.rules.allowed_seconds(start, due),
    )
    new.next_check_at = sla_services.clock_next_check(new, policy)
    new.save()
    return new


def clock_close(target: Clock | None, state: str, at: dt.datetime) -> None:
    if target is None or target.state not in sla_services.OPEN_STATES:
        return
    if state == ClockState.MET:
        target.met_at = at
    target.state = state
    target.next_check_at = None
    target.save(update_fields=["state", "met_at", "next_check_at"])


def _pause(target: Clock | None, at: dt.datetime) -> None:
    if target is None or target.state not in (ClockState.RUNNING, ClockState.BREACHED):
        return
    target.paused_at = at
    target.state = ClockState.PAUSED
    target.next_check_at = None
    target.save(update_fields=["paused_at", "state", "next_check_at"])


def _resume(target: Clock | None, at: dt.datetime) -> None:
    """Run a paused clock again, its due time pushed by the working-day time the pause took
    (:func:`rules.resumed_due`). ``paused_seconds`` grows by the push, so sla's step times (start + paused
    + a share of the allowed time) still end at the due time."""
    if target is None or target.state != ClockState.PAUSED or target.paused_at is None:
        return
    due = rules.resumed_due(target.due_at, target.paused_at, at, workdays.is_workday)
    target.paused_seconds += int((due - target.due_at).total_seconds())
    target.due_at = due
    target.paused_at = None
    target.state = ClockState.BREACHED if target.breached_at else ClockState.RUNNING
    target.next_check_at = sla_services.clock_next_check(target, target.policy)
    target.save(update_fields=["paused_seconds", "due_at", "paused_at", "state", "next_check_at"])


def customer_step_seconds(step: ApplicationStep, at: dt.datetime) -> int:
    """The customer's waiting time a customer step ending at ``at`` adds (done, sent back or ended by
    the order's closing alike)."""
    return max(0, int((at - step.started_at).total_seconds()))


def steps_start(
    application: Application, templates: list[StepTemplate], at: dt.datetime
) -> list[ApplicationStep]:
    """Start a group of steps, a clock for each utility-side one. A group run again (after a return, or
    reached again after one) is a new round, so what its earlier run did never counts for this one."""
    started = []
    seqs = {t.seq for t in templates}
    earlier = application.steps.filter(seq__in=seqs).values_list("round", flat=True)
    round_no = max(earlier, default=0) + 1
    for template in templates:
        step = ApplicationStep(
            application=application,
            template=template,
            seq=template.seq,
            round=round_no,
            side=template.side,
            state=StepState.ACTIVE,
            started_at=at,
            due_at=rules.step_due(at, template.limit_days, workdays.is_workday),
        )
        if template.side == StepSide.UTILITY:
            step.clock = clock_new(application.order, ClockKind.APP_STEP, at, template.limit_days)
            if application.suspended_at is not None:  # the order is suspended: the step waits with it
                _pause(step.clock, at)
        step.save()
        started.append(step)
    return started


def process_clock_sync(application: Application, at: dt.datetime) -> None:
    """The whole-process clock counts the utility side only: paused while a customer-side step runs or
    the order is suspended for a reason that stops the clocks (either reason keeps it paused: one pause,
    counted once), resumed when neither holds, met when the application is completed."""
    if application.state == ApplicationState.COMPLETED:
        _resume(application.process_clock, at)
        clock_close(application.process_clock, ClockState.MET, at)
    elif (
        application.suspended_at is not None
        or application.steps.filter(state=StepState.ACTIVE, side=StepSide.CUSTOMER).exists()
    ):
        _pause(application.process_clock, at)
    else:
        _resume(application.process_clock, at)


def step_clocks_pause(application: Application, at: dt.datetime) -> list[Clock]:
    """Pause the running steps' clocks (the order is suspended); the clocks paused."""
    paused = []
    for step in application.steps.select_related("clock").filter(state=StepState.ACTIVE, clock__isnull=False):
        if step.clock is not None and step.clock.state in (ClockState.RUNNING, ClockState.BREACHED):
            _pause(step.clock, at)
            paused.append(step.clock)
    return paused


def step_clocks_resume(application: Application, at: dt.datetime) -> list[Clock]:
    """Resume the running steps' paused clocks (the order resumed; a step clock pauses for nothing else),
    each step's shown due time with its clock's; the clocks resumed."""
    resumed = []
    for step in application.steps.select_related("clock__policy").filter(
        state=StepState.ACTIVE, clock__state=ClockState.PAUSED
    ):
        assert step.clock is not None
        _resume(step.clock, at)
        step.due_at = step.clock.due_at
        step.save(update_fields=["due_at"])
        resumed.append(step.clock)
    return resumed
