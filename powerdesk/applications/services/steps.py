"""Starting an application and moving its steps.

- :func:`application_start`: the work order through the normal intake, then the application, its
  一次性告知 record, its first steps and their clocks; the console (hall clerk, channel 营业厅), the API
  and the portal all call it;
- :func:`application_step_complete`: a step done (its clock met); the next group starts when the group's
  required steps are done; the last one completes the application;
- :func:`application_step_return`: the running steps sent back to an earlier step, for a reason (data).
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
    DocumentReceipt,
    DocumentType,
    NoticeChannel,
    ReturnReason,
    StepSide,
    StepState,
    StepTemplate,
)
from powerdesk.applications.services.acting import step_refusal
from powerdesk.applications.services.clocks import (
    clock_close,
    clock_new,
    customer_step_seconds,
    process_clock_sync,
    steps_start,
)
from powerdesk.applications.services.record import STARTED, STEP_DONE, STEP_RETURNED, order_changed
from powerdesk.applications.services.templates import kind_steps, notice_names, template_steps
from powerdesk.core import clock
from powerdesk.core.errors import (
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
    VersionConflict,
)
from powerdesk.core.seeded_names import seeded_name
from powerdesk.customers.models import Customer
from powerdesk.org.models import User
from powerdesk.org.selectors import user_sees_unit
from powerdesk.sla.models import ClockKind, ClockState
from powerdesk.workorders.choices import CLOSED_STATUSES, BusinessType, RepeatAction
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services import workorder_intake
from powerdesk.workorders.services.engine import lock_order


def _step_summary(steps: list[ApplicationStep]) -> list[dict[str, Any]]:
    return [{"step": s.template.code, "due_at": s.due_at.isoformat(), "side": s.side} for s in steps]


# The intake hints (``IntakeContact.hints``) the opening hook reads: the kind the hall clerk chose (set
# by :func:`application_start` only: not a form field, so the ordinary intake derives it from the
# sub-type) and how the 一次性告知 list was given (also a field of the console's intake panel).
KIND_HINT = "application_kind"
NOTICE_HINT = "application_notice"


def application_start(
    *,
    actor: User,
    kind: ApplicationKind,
    customer: Customer,
    channel: str,
    notice_channel: str,
    description: str = "",
    caller_phone: str = "",
    caller_name: str = "",
    idempotency_key: str | None = None,
) -> Application:
    """Take an application of ``kind``: the work order through the normal intake (``workorder_intake``:
    business type 业务办理, the kind's sub-type and topic, ``channel`` as given — 营业厅 in the console,
    the portal's own, the API caller's), whose opening hook (:func:`.intake.application_open_at_intake`)
    writes the application as for any 业务办理 order taken at the intake (:func:`application_open`),
    of this kind and with this ``notice_channel``. An earlier order of the customer on the topic is
    linked, never counted on (each application is an event of its own); a retry under the same
    ``idempotency_key`` answers with the application the first request started. Documents brought along
    are received afterwards, one by one (``application_document_receive``).
    """
    if notice_channel not in NoticeChannel.values:
        message = _("请选择告知方式。")
        raise ValidationFailed(message, fields={"notice_channel": [message]})
    if not kind.is_active:
        message = _("该业务办理类别已停用。")
        raise ValidationFailed(message, fields={"kind": [message]})
    with transaction.atomic():
        result = workorder_intake(
            actor=actor,
            business_type=BusinessType.APPLICATION,
            topic=kind.topic,
            sub_type=kind.sub_type,
            channel=channel,
            description=description.strip() or kind.name,
            customer=customer,
            caller_phone=caller_phone or customer.primary_phone,
            caller_name=caller_name or customer.name,
            idempotency_key=idempotency_key,
            repeat_action=RepeatAction.NEW,
            override_reason=_("新的业务办理申请"),
            hints={KIND_HINT: kind.code, NOTICE_HINT: notice_channel},
        )
        existing = Application.objects.filter(order=result.order).first()
        if existing is None:
            raise ValidationFailed(_("该申请已受理为其他工单，请刷新后查看。"))
    return existing


def application_open(
    *, order: WorkOrder, kind: ApplicationKind, actor: User, at: dt.datetime, notice_channel: str
) -> Application:
    """The application of a new 业务办理 ``order`` (in the intake's transaction, whichever door it came
    through). Steps:

    1. the application with its 一次性告知 record: every document the kind's steps need, told now by
       ``notice_channel`` (printed / SMS / portal);
    2. the whole-process clock and the first group of steps, each utility-side step with its clock;
    3. one ``app_started`` event (the order's due time from the clocks just started);
    4. the customer's step SMS, queued; with ``notice_channel`` sms, the 一次性告知 list too.
    """
    application, data = application_plan(
        order=order, kind=kind, actor=actor, at=at, notice_channel=notice_channel
    )
    order_changed(order=order, kind=STARTED, actor=actor, at=at, clocks_moved=True, data=data)
    return application


def application_plan(
    *, order: WorkOrder, kind: ApplicationKind, actor: User, at: dt.datetime, notice_channel: str
) -> tuple[Application, dict[str, Any]]:
    """:func:`application_open` but its event: the application, its clocks and first steps, the SMS
    queued; the data of the event that records it (``app_started``'s, or the reclassification's that made
    the order a 业务办理 one)."""
    templates = kind_steps(kind)
    if not templates:
        raise ValidationFailed(_("该业务办理类别没有办理环节，请联系管理员。"))
    plan = template_steps(templates)
    notice = rules.notice_list(plan)
    application = Application.objects.create(
        order=order,
        kind=kind,
        started_at=at,
        notice_documents=notice,
        notice_channel=notice_channel,
        notice_given_at=at,
        notice_given_by=actor,
    )
    application.process_clock = clock_new(order, ClockKind.APP_PROCESS, at, kind.process_limit_days)
    application.save(update_fields=["process_clock"])
    first_ids = {s.id for s in rules.first_group(plan)}
    started = steps_start(application, [t for t in templates if t.pk in first_ids], at)
    process_clock_sync(application, at)
    from powerdesk.applications import integration

    if notice_channel == NoticeChannel.SMS:
        integration.enqueue_notice(application=application, documents=notice_names(notice))
    integration.enqueue_step_messages(application=application, steps=started, event="started")
    data = {
        "kind": kind.code,
        "notice_channel": notice_channel,
        "notice_documents": notice,
        "steps": _step_summary(started),
        "process_due_at": application.process_clock.due_at.isoformat(),
    }
    return application, data


def _lock(
    step: ApplicationStep, actor: User, expected_version: int | None
) -> tuple[WorkOrder, ApplicationStep]:
    """The order locked (order first, then this app's rows: the order's lock order), once the actor sees
    it, and the step again under that lock; with ``expected_version`` only if nobody changed the order
    since the caller read it; the actor must be one who may move the step (:func:`step_refusal`)."""
    order = lock_order(step.application.order_id)
    if not user_sees_unit(actor, order.unit):
        raise NotFound(_("找不到该工单。"))
    if order.status in CLOSED_STATUSES:
        # a closed order's steps were withdrawn with it; nothing may move or restart them
        raise TransitionNotAllowed(
            _("工单%(status)s，办理环节不能再办理或退回。") % {"status": order.get_status_display()}
        )
    if expected_version is not None and order.version != expected_version:
        raise VersionConflict(
            _("工单已被他人修改（当前版本 %(current)s，您提交的版本 %(yours)s），请刷新后重试。")
            % {"current": order.version, "yours": expected_version}
        )
    locked = (
        ApplicationStep.objects.select_for_update(of=("self",))
        .select_related("template__role", "application__kind", "clock")
        .get(pk=step.pk)
    )
    if locked.state != StepState.ACTIVE:
        raise TransitionNotAllowed(_("该环节不在办理中。"))
    refusal = step_refusal(actor, order, locked.template)
    if refusal is not None:
        raise NotPermitted(refusal)
    return order, locked


def step_missing_documents(step: ApplicationStep) -> list[DocumentType]:
    """The documents ``step``'s template requires that were not received for it yet. A receipt for any
    run of the same step counts: a step sent back and run again keeps what the customer already handed in
    (a wrong document is received again, the new receipt sitting beside the old one)."""
    received = DocumentReceipt.objects.filter(
        application_id=step.application_id, step__template_id=step.template_id
    ).values("document_id")
    return list(step.template.documents.exclude(pk__in=received).order_by("id"))


def _lock_application(locked: ApplicationStep) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("process_clock__policy")
        .get(pk=locked.application_id)
    )


@transaction.atomic
def application_step_complete(
    *,
    step: ApplicationStep,
    actor: User,
    result: str,
    document_reason: str = "",
    expected_version: int | None = None,
) -> ApplicationStep:
    """Complete a running step. Steps:

    1. lock the order, then the step; the actor must be the step's role, at its unit level
       (:func:`step_refusal`);
    2. every document the step's template requires must have been received for it
       (:func:`step_missing_documents`), unless ``document_reason`` says why it is done without them
       (已在营销系统核验, 客户已当面出示原件): the reason is kept on the step and in the event;
    3. the step done (by, when, result), its clock met; a customer-side step adds its time to the
       customer's waiting time and resumes the whole-process clock;
    4. when the group's required steps are done, its optional steps still running are skipped and the
       next group starts; after the last group the application is completed and its clock met;
    5. one ``app_step_done`` event (with the missing documents and the reason, if any); the marketing
       system and the customer are told (jobs and messages enqueued in this transaction)."""
    order, locked = _lock(step, actor, expected_version)
    result = result.strip()
    if not result:
        message = _("请填写办理结果。")
        raise ValidationFailed(message, fields={"result": [message]})
    missing = step_missing_documents(locked)
    document_reason = document_reason.strip() if missing else ""
    if missing and not document_reason:
        message = _(
            "该环节所需资料尚未收齐：%(docs)s。请先接收资料，或填写未收齐即办结的原因（如：已在营销系统核验）。"
        ) % {"docs": "、".join(seeded_name(d) for d in missing)}
        raise ValidationFailed(message, code="documents_missing", fields={"document_reason": [message]})
    application = _lock_application(locked)
    at = clock.now()
    locked.state = StepState.DONE
    locked.done_at = at
    locked.done_by = actor
    locked.result = result
    locked.document_reason = document_reason
    locked.save(update_fields=["state", "done_at", "done_by", "result", "document_reason"])
    clock_close(locked.clock, ClockState.MET, at)
    changed: list[str] = []
    if locked.side == StepSide.CUSTOMER:
        application.customer_wait_seconds += customer_step_seconds(locked, at)
        changed.append("customer_wait_seconds")
    group = list(
        application.steps.select_related("template", "clock").filter(seq=locked.seq, state=StepState.ACTIVE)
    )
    finished = set(
        application.steps.filter(seq=locked.seq, round=locked.round, state=StepState.DONE).values_list(
            "template_id", flat=True
        )
    )
    templates = kind_steps(application.kind)
    plan = template_steps(templates)
    group_templates = [t for t in plan if t.seq == locked.seq]
    started: list[ApplicationStep] = []
    skipped: list[str] = []
    if rules.group_done(group_templates, finished):
        for left in group:  # optional steps nobody did: skipped, their clocks cancelled
            left.state = StepState.SKIPPED
            left.save(update_fields=["state"])
            clock_close(left.clock, ClockState.CANCELLED, at)
            skipped.append(left.template.code)
        next_ids = {s.id for s in rules.next_group(plan, locked.seq)}
        if next_ids:
            started = steps_start(application, [t for t in templates if t.pk in next_ids], at)
        else:
            application.state = ApplicationState.COMPLETED
            application.completed_at = at
            changed += ["state", "completed_at"]
    process_clock_sync(application, at)
    if changed:
        application.save(update_fields=changed)
    order_changed(
        order=order,
        kind=STEP_DONE,
        actor=actor,
        at=at,
        clocks_moved=True,
        note=result,
        data={
            "step": locked.template.code,
            "kind": application.kind.code,
            "round": locked.round,
            "on_time": locked.done_at <= locked.due_at,
            "skipped": skipped,
            "started": _step_summary(started),
            "completed": application.state == ApplicationState.COMPLETED,
            **(
                {"missing_documents": [d.code for d in missing], "document_reason": document_reason}
                if missing
                else {}
            ),
        },
    )
    from powerdesk.applications import integration

    integration.enqueue_step_done(application=application, step=locked)
    integration.enqueue_step_messages(
        application=application,
        steps=started,
        event="completed" if application.state == ApplicationState.COMPLETED else "step",
    )
    return locked


@transaction.atomic
def application_step_return(
    *,
    step: ApplicationStep,
    actor: User,
    to_template: StepTemplate,
    reason: ReturnReason | None,
    note: str = "",
    expected_version: int | None = None,
) -> list[ApplicationStep]:
    """Send a running step (with the rest of its group) back to an earlier step, for one of the return
    reasons (data), with an optional note of the staff's. Steps:

    1. lock the order, then the step; the actor must be the step's role, at its unit level;
    2. the reason must be an active one; the target a step of an earlier group of the same kind
       (:func:`rules.return_targets`);
    3. the group's running steps are marked returned (the reason, the note as their result), their clocks
       cancelled; the target's group starts again (a new round of each of its steps, new clocks);
    4. one ``app_step_returned`` event (the reason's code; the note as the event's note); the customer is
       told by SMS (the step returned to, the reason in its customer wording — never the note — by
       when), through notify's enqueue path like every step message."""
    order, locked = _lock(step, actor, expected_version)
    if reason is None or not reason.is_active:
        message = _("请选择退回原因。")
        raise ValidationFailed(message, fields={"reason": [message]})
    note = note.strip()
    application = _lock_application(locked)
    templates = kind_steps(application.kind)
    targets = {t.id for t in rules.return_targets(template_steps(templates), locked.seq)}
    if to_template.pk not in targets:
        message = _("只能退回到之前的环节。")
        raise ValidationFailed(message, fields={"to_step": [message]})
    at = clock.now()
    for running in application.steps.select_related("clock").filter(seq=locked.seq, state=StepState.ACTIVE):
        running.state = StepState.RETURNED
        running.done_at = at
        running.done_by = actor
        running.result = note
        running.return_reason = reason
        running.save(update_fields=["state", "done_at", "done_by", "result", "return_reason"])
        clock_close(running.clock, ClockState.CANCELLED, at)
        if running.side == StepSide.CUSTOMER:
            application.customer_wait_seconds += customer_step_seconds(running, at)
    application.save(update_fields=["customer_wait_seconds"])
    group = [t for t in templates if t.seq == to_template.seq]
    started = steps_start(application, group, at)
    process_clock_sync(application, at)
    order_changed(
        order=order,
        kind=STEP_RETURNED,
        actor=actor,
        at=at,
        clocks_moved=True,
        note=note,
        data={
            "step": locked.template.code,
            "to_step": to_template.code,
            "reason": reason.code,
            "started": _step_summary(started),
        },
    )
    from powerdesk.applications import integration

    integration.enqueue_step_returned(
        application=application, returned=locked, started=started, reason=reason
    )
    return started
