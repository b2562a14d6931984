"""Changing an application's kind (更正业务办理类别): an application adopted or taken as the wrong kind — a
shop's 低压新装 taken as residential, a 更名 that is in fact a 过户 — once a step of it is done, can be
put right only by a person (migration 0006 corrected only those still at their first steps). The
dispatcher or the manager (who may dispatch the order) changes the kind with a reason:

- the steps running are ended (withdrawn, their clocks cancelled; a customer step's time is added to
  the customer's waiting time, as when it ends otherwise);
- the steps already done whose step (by code) the new kind also has keep their record — who, when, the
  result — and count as done in the new kind's plan; those the new kind lacks stay as they were under
  the old kind, listed on the timeline;
- the application goes on at the first group of the new kind not yet done (new clocks from now); the
  whole-process clock is re-timed from the acceptance on the new kind's limit, the time it was paused
  still added (as sla re-times a reclassified order's clocks); when every step is done, it is completed;
- the 一次性告知 list becomes the new kind's (sent again by SMS when that is how it was given); the
  order's sub-type and topic follow the kind's;
- one ``app_kind_changed`` event keeps all of it; the customer is told of the steps that start.

An order reclassified within 业务办理 to a sub-type of another kind is re-planned the same way, and an
order reclassified as 业务办理 opens its application, each in the reclassification's own event
(:func:`kind_on_reclassify`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.applications import rules
from powerdesk.applications.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    ApplicationStep,
    NoticeChannel,
    StepSide,
    StepState,
    StepTemplate,
)
from powerdesk.applications.services.clocks import (
    clock_close,
    customer_step_seconds,
    process_clock_sync,
    steps_start,
)
from powerdesk.applications.services.record import KIND_CHANGED, order_changed
from powerdesk.applications.services.steps import application_plan
from powerdesk.applications.services.templates import kind_steps, notice_names, template_steps
from powerdesk.core import clock, workdays
from powerdesk.core.errors import (
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
    VersionConflict,
)
from powerdesk.org.models import User
from powerdesk.org.selectors import user_may, user_sees_unit
from powerdesk.sla import services as sla_services
from powerdesk.sla.models import ClockState
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.choices import CLOSED_STATUSES, BusinessType
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services.engine import lock_order

# Who may change the kind: who may dispatch the order (the dispatcher, the manager) — the kind decides who
# does each step and by when, as the dispatch does.
KIND_RIGHT = "dispatch"


def kind_change_refusal(actor: User, order: WorkOrder) -> str | None:
    """Why ``actor`` may not change the kind of the application on ``order`` (a sentence), or None."""
    if not user_sees_unit(actor, order.unit):
        return _("找不到该工单。")
    if not user_may(actor, KIND_RIGHT):
        return _("只有调度员或服务管理人员可以更正业务办理类别。")
    return None


def _locked(
    application: Application, actor: User, expected_version: int | None
) -> tuple[WorkOrder, Application]:
    order = lock_order(application.order_id)
    if not user_sees_unit(actor, order.unit):
        raise NotFound(_("找不到该工单。"))
    refusal = kind_change_refusal(actor, order)
    if refusal is not None:
        raise NotPermitted(refusal)
    if order.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(
            _("工单%(status)s，不能再更正业务办理类别。") % {"status": order.get_status_display()}
        )
    if expected_version is not None and order.version != expected_version:
        raise VersionConflict(
            _("工单已被他人修改（当前版本 %(current)s，您提交的版本 %(yours)s），请刷新后重试。")
            % {"current": order.version, "yours": expected_version}
        )
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("kind", "process_clock__policy")
        .get(pk=application.pk)
    )
    if locked.state != ApplicationState.ACTIVE:
        raise TransitionNotAllowed(_("业务办理已结束，不能更正类别。"))
    return order, locked


def _retime_process(application: Application, kind: ApplicationKind) -> None:
    """The whole-process clock on the new kind's limit from the acceptance, its paused time still added
    (a running pause stays running: :func:`process_clock_sync` ends it by the usual rule)."""
    target = application.process_clock
    if target is None or target.state not in sla_services.OPEN_STATES:
        return
    due = rules.step_due(target.started_at, kind.process_limit_days, workdays.is_workday)
    target.allowed_seconds = sla_services.rules.allowed_seconds(target.started_at, due)
    target.due_at = due + dt.timedelta(seconds=target.paused_seconds)
    if target.state != ClockState.PAUSED:
        target.next_check_at = sla_services.clock_next_check(target, target.policy)
    target.save(update_fields=["allowed_seconds", "due_at", "next_check_at"])


def _end_running(application: Application, actor: User, at: dt.datetime) -> list[str]:
    ended = []
    for running in application.steps.select_related("template", "clock").filter(state=StepState.ACTIVE):
        running.state = StepState.WITHDRAWN
        running.done_at = at
        running.done_by = actor
        running.save(update_fields=["state", "done_at", "done_by"])
        clock_close(running.clock, ClockState.CANCELLED, at)
        if running.side == StepSide.CUSTOMER:
            application.customer_wait_seconds += customer_step_seconds(running, at)
        ended.append(running.template.code)
    return ended


def _carry_done(
    application: Application, templates: list[StepTemplate]
) -> tuple[set[int], list[str], list[str]]:
    """The steps done, moved onto the new kind's steps of the same code (their record kept, their group
    the new one's). Returns the new templates now done (each group's latest round), the codes kept and
    the codes the new kind lacks."""
    by_code = {t.code: t for t in templates}
    done = list(application.steps.select_related("template").filter(state=StepState.DONE).order_by("id"))
    kept: dict[str, None] = {}
    dropped: dict[str, None] = {}
    for run in done:
        target = by_code.get(run.template.code)
        if target is None:
            dropped.setdefault(run.template.code, None)
            continue
        kept.setdefault(target.code, None)
        if run.template_id != target.pk:
            run.template = target
            run.seq = target.seq
            run.save(update_fields=["template", "seq"])
    # A group counts its latest round only (application_step_complete's rule): what was done in it then.
    moved = [r for r in done if r.template.code in kept]
    latest: dict[int, int] = {}
    for run in moved:
        latest[run.seq] = max(latest.get(run.seq, 0), run.round)
    finished = {r.template_id for r in moved if r.round == latest[r.seq]}
    return finished, list(kept), list(dropped)


def _resume(
    application: Application, templates: list[StepTemplate], finished: set[int], at: dt.datetime
) -> list[ApplicationStep]:
    """Start the first group not yet done (its steps not done yet), in the round of the steps of that group
    already done, so they count with them when the group's last step is done."""
    wanted = {s.id for s in rules.group_to_resume(template_steps(templates), finished)}
    if not wanted:
        return []
    group = [t for t in templates if t.pk in wanted]
    started = steps_start(application, group, at)
    seq = group[0].seq
    rounds = application.steps.filter(seq=seq, state=StepState.DONE, template_id__in=finished)
    done_round = max(rounds.values_list("round", flat=True), default=0)
    if done_round:
        ApplicationStep.objects.filter(pk__in=[s.pk for s in started]).update(round=done_round)
        for s in started:
            s.round = done_round
    return started


def _replan(
    locked: Application, kind: ApplicationKind, actor: User, at: dt.datetime
) -> tuple[dict[str, Any], list[ApplicationStep]]:
    """The locked, running application re-planned on ``kind`` (the module doc's steps), its customer told
    of the steps that start (and of the new list when it is given by SMS); the event's data and the steps
    started. The caller writes the one event."""
    templates = kind_steps(kind)
    if not templates:
        raise ValidationFailed(_("该业务办理类别没有办理环节，请联系管理员。"))
    before = locked.kind
    ended = _end_running(locked, actor, at)
    finished, kept, dropped = _carry_done(locked, templates)
    locked.kind = kind
    _retime_process(locked, kind)
    started = _resume(locked, templates, finished, at)
    fields = ["kind", "customer_wait_seconds", "notice_documents"]
    old_notice = list(locked.notice_documents)
    locked.notice_documents = rules.notice_list(template_steps(templates))
    if not started:  # the new kind's steps are all done already
        locked.state = ApplicationState.COMPLETED
        locked.completed_at = at
        fields += ["state", "completed_at"]
    locked.save(update_fields=fields)
    process_clock_sync(locked, at)
    from powerdesk.applications import integration

    if locked.notice_channel == NoticeChannel.SMS and locked.notice_documents != old_notice:
        integration.enqueue_notice(application=locked, documents=notice_names(locked.notice_documents))
    integration.enqueue_step_messages(
        application=locked,
        steps=started,
        event="completed" if locked.state == ApplicationState.COMPLETED else "step",
    )
    process = locked.process_clock
    data = {
        "kind": kind.code,
        "from_kind": before.code,
        "ended": ended,
        "kept": kept,
        "dropped": dropped,
        "started": [
            {"step": s.template.code, "due_at": s.due_at.isoformat(), "side": s.side} for s in started
        ],
        "notice_documents": locked.notice_documents,
        "notice_before": old_notice,
        "notice_channel": locked.notice_channel,
        "process_due_at": process.due_at.isoformat() if process is not None else None,
        "completed": locked.state == ApplicationState.COMPLETED,
    }
    return data, started


@transaction.atomic
def application_kind_change(
    *,
    application: Application,
    actor: User,
    kind: ApplicationKind,
    reason: str,
    expected_version: int | None = None,
) -> Application:
    """Change the kind of a running application, with a reason (see the module doc). Steps:

    1. lock the order (the actor sees it and may dispatch it; not closed; the version as read), then the
       application (still running);
    2. the new kind must be another active one; the reason is required;
    3. the running steps ended, the done ones carried over, the whole-process clock re-timed, the next
       group started, the notice list, the order's sub-type and topic the new kind's;
    4. one ``app_kind_changed`` event; the customer's step SMS queued."""
    order, locked = _locked(application, actor, expected_version)
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if not kind.is_active:
        errors["kind"] = [_("该业务办理类别已停用。")]
    elif kind.pk == locked.kind_id:
        errors["kind"] = [_("业务办理已是这一类别。")]
    if not reason:
        errors["reason"] = [_("请填写更正的原因。")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    at = clock.now()
    data, _started = _replan(locked, kind, actor, at)
    if (order.sub_type_id, order.topic_id) != (kind.sub_type_id, kind.topic_id):
        data["sub_type"] = {"from": order.sub_type_id, "to": kind.sub_type_id}
        data["topic"] = {"from": order.topic_id, "to": kind.topic_id}
        order.sub_type_id = kind.sub_type_id
        order.topic_id = kind.topic_id
        order.save(update_fields=["sub_type", "topic"])
    order_changed(
        order=order, kind=KIND_CHANGED, actor=actor, at=at, clocks_moved=True, note=reason, data=data
    )
    return locked


def kind_on_reclassify(context: ext.TransitionContext) -> None:
    """``transition_applied``: a running application's order reclassified within 业务办理 to a sub-type
    of another kind (by the customer's type, as at the intake) is re-planned on that kind as by
    :func:`application_kind_change`, named in the reclassification's one event (``app_kind_changed``);
    an order without an application reclassified as 业务办理 of a kind's sub-type opens it (its data as
    ``app_started``). The order row is already locked by the transition."""
    order = context.order
    if context.code != "reclassify" or order.business_type != BusinessType.APPLICATION:
        return
    if order.sub_type_id is None:
        return
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("kind", "process_clock__policy")
        .filter(order=order, state=ApplicationState.ACTIVE)
        .first()
    )
    from powerdesk.applications.services.intake import kind_for_order

    customer = order.customer
    kind = kind_for_order(
        sub_type_id=order.sub_type_id, customer_type=customer.customer_type if customer is not None else None
    )
    if kind is None:
        return
    if locked is None:
        if not Application.objects.filter(order=order).exists():
            # made a 业务办理 order (a consultation that is in fact an application): it opens as at the
            # intake, the list told by the hall's printed notice (or the portal's, for a portal order)
            channel = rules.intake_notice_channel("", order.channel, NoticeChannel.values)
            _opened, data = application_plan(
                order=order, kind=kind, actor=context.actor, at=context.at, notice_channel=channel
            )
            context.event_data["app_started"] = data
        return
    if kind.pk == locked.kind_id:
        return
    data, _started = _replan(locked, kind, context.actor, context.at)
    context.event_data["app_kind_changed"] = data
