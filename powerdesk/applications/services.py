"""Writes of the applications app: one service per intent, keyword-only, one transaction each, one
timeline event per change, side effects (the marketing system's notification, the customer's SMS)
enqueued in the same transaction.

- :func:`application_start`: the work order through the normal intake, then the application, its
  一次性告知 record, its first steps and their clocks; the console (hall clerk, channel 营业厅), the API
  and the portal all call it;
- :func:`application_step_complete`: a step done (its clock met); the next group starts when the group's
  required steps are done; the last one completes the application;
- :func:`application_step_return`: the running steps sent back to an earlier step, with a reason;
- :func:`application_document_request`: a 补件 request, refused for a document not on the 一次性告知
  list unless a reason is recorded;
- :func:`application_document_receive`: a document received for a step, its file an order attachment.

Clocks are ``sla.Clock`` rows (the sweep warns and breaches them like any other): a utility-side step runs
one of kind ``app_step`` with the step's own limit; the application runs one of kind ``app_process`` with
the kind's whole-process limit, paused while a customer-side step runs. Whoever writes a clock holds the
order's row lock first (the sweep relies on it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.applications import rules
from powerdesk.applications.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    ApplicationStep,
    DocumentReceipt,
    DocumentRequest,
    DocumentType,
    NoticeChannel,
    StepSide,
    StepState,
    StepTemplate,
)
from powerdesk.core import clock, workdays
from powerdesk.core.errors import (
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
    VersionConflict,
)
from powerdesk.customers.models import Customer
from powerdesk.org.models import RoleScope, User
from powerdesk.org.selectors import user_may, user_role, user_sees_unit
from powerdesk.sla import services as sla_services
from powerdesk.sla.models import Clock, ClockKind, ClockState, SlaPolicy
from powerdesk.workorders.attachments import attachment_add, upload_check
from powerdesk.workorders.choices import AttachmentKind, BusinessType, RepeatAction
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services import workorder_intake
from powerdesk.workorders.services.engine import lock_order

# Event kinds this app writes (labels in extension.py).
STARTED = "app_started"
STEP_DONE = "app_step_done"
STEP_RETURNED = "app_step_returned"
DOCUMENT_REQUESTED = "app_doc_requested"
DOCUMENT_RECEIVED = "app_doc_received"
RECORD_RIGHT = "note"  # who may record a 补件 request, a document or a customer step: who may annotate


# --- reading the template ---------------------------------------------------------------------------


def kind_steps(kind: ApplicationKind) -> list[StepTemplate]:
    return list(kind.steps.select_related("role").prefetch_related("documents").order_by("seq", "id"))


def _template_steps(templates: list[StepTemplate]) -> list[rules.TemplateStep]:
    return [
        rules.TemplateStep(
            id=t.pk,
            seq=t.seq,
            optional=t.optional,
            # in the order the documents were entered (the seed's order: the usual order of the list)
            documents=tuple(d.code for d in sorted(t.documents.all(), key=lambda d: d.pk)),
        )
        for t in templates
    ]


def kind_notice(kind: ApplicationKind) -> list[DocumentType]:
    """The documents told once at acceptance (:func:`rules.notice_list`), as rows in that order."""
    codes = rules.notice_list(_template_steps(kind_steps(kind)))
    by_code = {d.code: d for d in DocumentType.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


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


def _new_clock(order: WorkOrder, kind: str, start: dt.datetime, limit_days: int) -> Clock:
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


def _close_clock(target: Clock | None, state: str, at: dt.datetime) -> None:
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


def _start_steps(
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
            step.clock = _new_clock(application.order, ClockKind.APP_STEP, at, template.limit_days)
        step.save()
        started.append(step)
    return started


def _sync_process_clock(application: Application, at: dt.datetime) -> None:
    """The whole-process clock counts the utility side only: paused while a customer-side step runs,
    resumed when none does, met when the application is completed."""
    if application.state == ApplicationState.COMPLETED:
        _resume(application.process_clock, at)
        _close_clock(application.process_clock, ClockState.MET, at)
    elif application.steps.filter(state=StepState.ACTIVE, side=StepSide.CUSTOMER).exists():
        _pause(application.process_clock, at)
    else:
        _resume(application.process_clock, at)


def _refresh_due(order: WorkOrder) -> None:
    """The order's due time: its earliest running or breached clock (sla's rule)."""
    order.due_at = sla_services.earliest_due(order.clocks.filter(state__in=sla_services.OPEN_STATES))


def _step_summary(steps: list[ApplicationStep]) -> list[dict[str, Any]]:
    return [{"step": s.template.code, "due_at": s.due_at.isoformat(), "side": s.side} for s in steps]


def _touch(order: WorkOrder, at: dt.datetime) -> None:
    _refresh_due(order)
    order.version += 1
    order.updated_at = at
    order.save(update_fields=["due_at", "version", "updated_at"])


# --- starting ---------------------------------------------------------------------------------------


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
    """Take an application. Steps, in one transaction:

    1. the work order, through the normal intake (``workorder_intake``: business type 业务办理, the kind's
       sub-type and topic, ``channel`` as given — 营业厅 in the console, the portal's own, the API
       caller's); an earlier order of the customer on the topic is linked, never counted on (each
       application is an event of its own); a retry under the same ``idempotency_key`` answers with the
       application the first request started;
    2. the application with its 一次性告知 record: every document the kind's steps need, told now by
       ``notice_channel`` (printed / SMS / portal);
    3. the whole-process clock and the first group of steps, each utility-side step with its clock;
    4. one ``app_started`` event.
    Documents brought along are received afterwards, one by one (:func:`application_document_receive`).
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
        )
        if result.replayed or not result.created:
            existing = Application.objects.filter(order=result.order).first()
            if existing is None:
                raise ValidationFailed(_("该申请已受理为其他工单，请刷新后查看。"))
            return existing
        order = lock_order(result.order.pk)
        at = clock.now()
        templates = kind_steps(kind)
        if not templates:
            raise ValidationFailed(_("该业务办理类别没有办理环节，请联系管理员。"))
        notice = rules.notice_list(_template_steps(templates))
        application = Application.objects.create(
            order=order,
            kind=kind,
            started_at=at,
            notice_documents=notice,
            notice_channel=notice_channel,
            notice_given_at=at,
            notice_given_by=actor,
        )
        application.process_clock = _new_clock(order, ClockKind.APP_PROCESS, at, kind.process_limit_days)
        application.save(update_fields=["process_clock"])
        first_ids = {s.id for s in rules.first_group(_template_steps(templates))}
        started = _start_steps(application, [t for t in templates if t.pk in first_ids], at)
        _sync_process_clock(application, at)
        _touch(order, at)
        event_write(
            order=order,
            kind=STARTED,
            actor=actor,
            from_status=order.status,
            to_status=order.status,
            data={
                "kind": kind.code,
                "notice_channel": notice_channel,
                "notice_documents": notice,
                "steps": _step_summary(started),
                "process_due_at": application.process_clock.due_at.isoformat(),
            },
            at=at,
        )
        from powerdesk.applications import integration

        integration.enqueue_step_messages(application=application, steps=started, event="started")
    return application


# --- moving a step ----------------------------------------------------------------------------------


def _lock(
    step: ApplicationStep, actor: User, expected_version: int | None
) -> tuple[WorkOrder, ApplicationStep]:
    """The order locked (order first, then this app's rows: the order's lock order), once the actor sees
    it, and the step again under that lock; with ``expected_version`` only if nobody changed the order
    since the caller read it."""
    order = lock_order(step.application.order_id)
    if not user_sees_unit(actor, order.unit):
        raise NotFound(_("找不到该工单。"))
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
    return order, locked


def may_act_on(actor: User, template: StepTemplate) -> bool:
    """Who may complete or send back a step: a customer-side step, whoever may annotate the order (they
    record what the customer did); a utility-side step, its template's role, or a role that sees all."""
    if actor.is_superuser:
        return True
    role = user_role(actor)
    if role is None:
        return False
    if template.side == StepSide.CUSTOMER or template.role_id is None:
        return user_may(actor, RECORD_RIGHT)
    # Service management sees every unit and may act for any role; a read-only role (the auditor) may not.
    return role.pk == template.role_id or (role.scope == RoleScope.ALL and user_may(actor, RECORD_RIGHT))


def _check_actor(actor: User, template: StepTemplate) -> None:
    if not may_act_on(actor, template):
        raise NotPermitted(
            _("该环节应由「%(role)s」办理。") % {"role": template.role.name if template.role else "—"}
        )


@transaction.atomic
def application_step_complete(
    *, step: ApplicationStep, actor: User, result: str, expected_version: int | None = None
) -> ApplicationStep:
    """Complete a running step. Steps:

    1. lock the order, then the step; the actor must be the step's role (:func:`may_act_on`);
    2. the step done (by, when, result), its clock met; a customer-side step adds its time to the
       customer's waiting time and resumes the whole-process clock;
    3. when the group's required steps are done, its optional steps still running are skipped and the
       next group starts; after the last group the application is completed and its clock met;
    4. one ``app_step_done`` event; the marketing system and the customer are told (jobs and messages
       enqueued in this transaction)."""
    order, locked = _lock(step, actor, expected_version)
    _check_actor(actor, locked.template)
    result = result.strip()
    if not result:
        message = _("请填写办理结果。")
        raise ValidationFailed(message, fields={"result": [message]})
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("process_clock__policy")
        .get(pk=locked.application_id)
    )
    at = clock.now()
    locked.state = StepState.DONE
    locked.done_at = at
    locked.done_by = actor
    locked.result = result
    locked.save(update_fields=["state", "done_at", "done_by", "result"])
    _close_clock(locked.clock, ClockState.MET, at)
    changed: list[str] = []
    if locked.side == StepSide.CUSTOMER:
        application.customer_wait_seconds += max(0, int((at - locked.started_at).total_seconds()))
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
    plan = _template_steps(templates)
    group_templates = [t for t in plan if t.seq == locked.seq]
    started: list[ApplicationStep] = []
    skipped: list[str] = []
    if rules.group_done(group_templates, finished):
        for left in group:  # optional steps nobody did: skipped, their clocks cancelled
            left.state = StepState.SKIPPED
            left.save(update_fields=["state"])
            _close_clock(left.clock, ClockState.CANCELLED, at)
            skipped.append(left.template.code)
        next_ids = {s.id for s in rules.next_group(plan, locked.seq)}
        if next_ids:
            started = _start_steps(application, [t for t in templates if t.pk in next_ids], at)
        else:
            application.state = ApplicationState.COMPLETED
            application.completed_at = at
            changed += ["state", "completed_at"]
    _sync_process_clock(application, at)
    if changed:
        application.save(update_fields=changed)
    _touch(order, at)
    event_write(
        order=order,
        kind=STEP_DONE,
        actor=actor,
        from_status=order.status,
        to_status=order.status,
        note=result,
        data={
            "step": locked.template.code,
            "kind": application.kind.code,
            "round": locked.round,
            "on_time": locked.done_at <= locked.due_at,
            "skipped": skipped,
            "started": _step_summary(started),
            "completed": application.state == ApplicationState.COMPLETED,
        },
        at=at,
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
    reason: str,
    expected_version: int | None = None,
) -> list[ApplicationStep]:
    """Send a running step (with the rest of its group) back to an earlier step, with a reason. Steps:

    1. lock the order, then the step; the actor must be the step's role;
    2. the target must be a step of an earlier group of the same kind (:func:`rules.return_targets`);
    3. the group's running steps are marked returned, their clocks cancelled; the target's group starts
       again (a new round of each of its steps, new clocks);
    4. one ``app_step_returned`` event with the reason."""
    order, locked = _lock(step, actor, expected_version)
    _check_actor(actor, locked.template)
    reason = reason.strip()
    if not reason:
        message = _("请填写退回原因。")
        raise ValidationFailed(message, fields={"reason": [message]})
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("process_clock__policy")
        .get(pk=locked.application_id)
    )
    templates = kind_steps(application.kind)
    targets = {t.id for t in rules.return_targets(_template_steps(templates), locked.seq)}
    if to_template.pk not in targets:
        message = _("只能退回到之前的环节。")
        raise ValidationFailed(message, fields={"to_step": [message]})
    at = clock.now()
    for running in application.steps.select_related("clock").filter(seq=locked.seq, state=StepState.ACTIVE):
        running.state = StepState.RETURNED
        running.done_at = at
        running.done_by = actor
        running.result = reason
        running.save(update_fields=["state", "done_at", "done_by", "result"])
        _close_clock(running.clock, ClockState.CANCELLED, at)
        if running.side == StepSide.CUSTOMER:
            application.customer_wait_seconds += max(0, int((at - running.started_at).total_seconds()))
    application.save(update_fields=["customer_wait_seconds"])
    group = [t for t in templates if t.seq == to_template.seq]
    started = _start_steps(application, group, at)
    _sync_process_clock(application, at)
    _touch(order, at)
    event_write(
        order=order,
        kind=STEP_RETURNED,
        actor=actor,
        from_status=order.status,
        to_status=order.status,
        note=reason,
        data={"step": locked.template.code, "to_step": to_template.code, "started": _step_summary(started)},
        at=at,
    )
    return started


# --- documents --------------------------------------------------------------------------------------


def _lock_application(application: Application, actor: User) -> tuple[WorkOrder, Application]:
    order = lock_order(application.order_id)
    if not user_sees_unit(actor, order.unit):
        raise NotFound(_("找不到该工单。"))
    if not user_may(actor, RECORD_RIGHT):
        raise NotPermitted(_("您的角色不能办理该业务。"))
    return order, Application.objects.select_for_update(of=("self",)).get(pk=application.pk)


@transaction.atomic
def application_document_request(
    *, application: Application, actor: User, document: DocumentType, reason: str = ""
) -> DocumentRequest:
    """Ask the customer for a document after acceptance (补件). A document on the 一次性告知 list may be
    asked for; one not on it only with a reason (:func:`rules.request_refusal`), which is recorded and
    shown to whoever handles a complaint about the application. One ``app_doc_requested`` event."""
    order, locked = _lock_application(application, actor)
    if rules.request_refusal(document.code, locked.notice_documents, reason) is not None:
        message = _("「%(doc)s」不在受理时一次性告知的资料清单内，须填写补充要求的原因。") % {
            "doc": document.name
        }
        raise ValidationFailed(message, fields={"reason": [message]})
    at = clock.now()
    on_notice = document.code in locked.notice_documents
    request = DocumentRequest.objects.create(
        application=locked,
        document=document,
        on_notice=on_notice,
        reason=reason.strip(),
        requested_by=actor,
        requested_at=at,
    )
    order.version += 1
    order.updated_at = at
    order.save(update_fields=["version", "updated_at"])
    event_write(
        order=order,
        kind=DOCUMENT_REQUESTED,
        actor=actor,
        from_status=order.status,
        to_status=order.status,
        note=reason.strip(),
        data={"document": document.code, "on_notice": on_notice},
        at=at,
    )
    return request


def application_document_receive(
    *,
    step: ApplicationStep,
    actor: User,
    document: DocumentType,
    upload: UploadedFile,
) -> DocumentReceipt:
    """Receive a document for a running step: the file is checked on its content and stored as an order
    attachment (``workorders.attachments.attachment_add``: its own transaction and event, the file removed
    again if it does not commit), then the receipt is recorded against the step (one
    ``app_doc_received`` event)."""
    if step.state != StepState.ACTIVE:
        raise TransitionNotAllowed(_("该环节不在办理中。"))
    order = step.application.order
    if not user_sees_unit(actor, order.unit):
        raise NotFound(_("找不到该工单。"))
    attachment = attachment_add(
        order=order, actor=actor, kind=document_attachment_kind(upload), upload=upload
    )
    with transaction.atomic():
        locked_order, application = _lock_application(step.application, actor)
        at = clock.now()
        receipt = DocumentReceipt.objects.create(
            application=application,
            step=step,
            document=document,
            attachment=attachment,
            received_by=actor,
            received_at=at,
        )
        locked_order.version += 1
        locked_order.updated_at = at
        locked_order.save(update_fields=["version", "updated_at"])
        event_write(
            order=locked_order,
            kind=DOCUMENT_RECEIVED,
            actor=actor,
            from_status=locked_order.status,
            to_status=locked_order.status,
            data={"document": document.code, "step": step.template.code, "attachment": attachment.pk},
            at=at,
        )
    return receipt


PHOTO_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})


def document_attachment_kind(upload: UploadedFile) -> str:
    """A document's file is kept as an order attachment: a photo (a picture of an ID card) or a document."""
    suffix = PurePath(upload.name or "").suffix.lower()
    return AttachmentKind.PHOTO if suffix in PHOTO_EXTENSIONS else AttachmentKind.DOCUMENT


def document_upload_check(upload: UploadedFile) -> None:
    """The upload checked on its content as the order attachments are (type, size, leading bytes, name)."""
    upload_check(kind=document_attachment_kind(upload), upload=upload)


def documents_by_code(codes: Mapping[str, Any] | list[str]) -> dict[str, DocumentType]:
    return {d.code: d for d in DocumentType.objects.filter(code__in=list(codes))}
