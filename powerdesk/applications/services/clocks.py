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
    if target is None or target.state != ClockState.PAUSED or target.paused_at is None:
        return
    span = at - target.paused_at
    target.paused_seconds += int(span.total_seconds())
    target.due_at += span
    target.paused_at = None
    target.state = ClockState.BREACHED if target.breached_at else ClockState.RUNNING
    target.next_check_at = sla_services.clock_next_check(target, target.policy)
    target.save(update_fields=["paused_seconds", "due_at", "paused_at", "state", "next_check_at"])


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
        step.save()
        started.append(step)
    return started


def process_clock_sync(application: Application, at: dt.datetime) -> None:
    """The whole-process clock counts the utility side only: paused while a customer-side step runs,
    resumed when none does, met when the application is completed."""
    if application.state == ApplicationState.COMPLETED:
        _resume(application.process_clock, at)
        clock_close(application.process_clock, ClockState.MET, at)
    elif application.steps.filter(state=StepState.ACTIVE, side=StepSide.CUSTOMER).exists():
        _pause(application.process_clock, at)
    else:
        _resume(application.process_clock, at)
