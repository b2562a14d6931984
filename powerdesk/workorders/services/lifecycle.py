"""The transitions of a work order after intake: one service per intent. Each runs in one transaction,
locks the order row, checks the caller's version, the state machine and the caller's role, then writes the
change and exactly one timeline event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock, phones
from powerdesk.core.errors import (
    ValidationFailed,
)
from powerdesk.org.models import Unit, User
from powerdesk.org.selectors import user_sees_unit
from powerdesk.workorders.choices import BusinessType, EventKind, Satisfaction, Status
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import SubType, Topic, WorkOrder, WorkOrderEvent
from powerdesk.workorders.rules import escalate, topic_fits
from powerdesk.workorders.services.engine import (
    apply_transition,
    check_assignee,
    check_dispatch_unit,
    refuse_unless_applies,
    require_text,
    require_unit,
)


def workorder_dispatch(
    *,
    order: WorkOrder,
    actor: User,
    unit: Unit,
    assignee: User | None = None,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    unit = require_unit(unit)

    def change(o: WorkOrder) -> tuple[list[str], str]:
        # Checked after the order's visibility and the role: another unit's order is 404 whatever the input.
        check_dispatch_unit(actor, unit)
        check_assignee(unit, assignee)
        o.unit = unit
        o.assignee = assignee
        o.dispatched_at = clock.now()
        return ["unit", "assignee", "dispatched_at"], note

    return apply_transition(
        order=order,
        actor=actor,
        code="dispatch",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_take(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.assignee = actor
        o.taken_at = clock.now()
        return ["assignee", "taken_at"], note

    return apply_transition(
        order=order,
        actor=actor,
        code="take",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_arrive(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    def change(o: WorkOrder) -> tuple[list[str], str]:
        refuse_unless_applies(o, "arrive")
        o.arrived_at = clock.now()
        return ["arrived_at"], note

    return apply_transition(
        order=order,
        actor=actor,
        code="arrive",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_resolve(
    *,
    order: WorkOrder,
    actor: User,
    result: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    result = require_text(result, "result", _("请填写处理结果。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        refuse_unless_applies(o, "resolve")
        o.result = result
        o.resolved_at = clock.now()
        return ["result", "resolved_at"], result

    return apply_transition(
        order=order,
        actor=actor,
        code="resolve",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_reply(
    *,
    order: WorkOrder,
    actor: User,
    reply_text: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    reply_text = require_text(reply_text, "reply_text", _("请填写回单内容。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.reply_text = reply_text
        o.replied_at = clock.now()
        return ["reply_text", "replied_at"], reply_text

    return apply_transition(
        order=order,
        actor=actor,
        code="reply",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_callback(
    *,
    order: WorkOrder,
    actor: User,
    satisfaction: str,
    resolved: bool | None = None,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    """Record the callback. An unreachable customer leaves the order waiting for another attempt."""
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed(_("请选择满意度。"), fields={"satisfaction": [_("请选择满意度。")]})

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.satisfaction = satisfaction
        o.callback_resolved = resolved
        o.called_back_at = clock.now()
        fields = ["satisfaction", "callback_resolved", "called_back_at"]
        if satisfaction == Satisfaction.UNREACHABLE:
            fields.append("status")  # stays 已回单: the customer has not been heard yet
        return fields, note

    return apply_transition(
        order=order,
        actor=actor,
        code="callback",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
        trigger="callback_unreachable" if satisfaction == Satisfaction.UNREACHABLE else None,
    )


def workorder_archive(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    def change(o: WorkOrder) -> tuple[list[str], str]:
        refuse_unless_applies(o, "archive")
        o.closed_at = clock.now()
        return ["closed_at"], note

    return apply_transition(
        order=order,
        actor=actor,
        code="archive",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_cancel_by_customer(
    *,
    order: WorkOrder,
    actor: User,
    reason: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    """The customer withdraws a request that nobody has started (accepted, or dispatched and not yet
    taken): the order is closed with the customer's reason on its timeline; its clocks are cancelled."""
    reason = (reason or "").strip()

    def change(o: WorkOrder) -> tuple[list[str], str]:
        refuse_unless_applies(o, "cancel_by_customer")
        o.closed_at = clock.now()
        return ["closed_at"], reason

    return apply_transition(
        order=order,
        actor=actor,
        code="cancel_by_customer",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_answer(
    *,
    order: WorkOrder,
    actor: User,
    answer: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    answer = require_text(answer, "answer", _("请填写答复内容。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        refuse_unless_applies(o, "answer")
        o.reply_text = answer
        o.replied_at = o.closed_at = clock.now()
        return ["reply_text", "replied_at", "closed_at"], answer

    return apply_transition(
        order=order,
        actor=actor,
        code="answer",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_transfer(
    *,
    order: WorkOrder,
    actor: User,
    unit: Unit,
    reason: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    reason = require_text(reason, "reason", _("请填写转派原因。"))
    unit = require_unit(unit)

    def change(o: WorkOrder) -> tuple[list[str], str]:
        check_dispatch_unit(actor, unit)
        if o.unit_id == unit.pk:
            raise ValidationFailed(_("工单已在该单位，无需转派。"), fields={"unit": [_("请选择其他单位。")]})
        o.unit = unit
        o.assignee = None
        o.dispatched_at = clock.now()
        return ["unit", "assignee", "dispatched_at"], reason

    return apply_transition(
        order=order,
        actor=actor,
        code="transfer",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_return(
    *,
    order: WorkOrder,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    """Send the order back to the unit of the person who took the call (首问负责), with a reason."""
    reason = require_text(reason, "reason", _("请填写回退原因。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.unit_id = o.owner.unit_id or o.unit_id
        o.assignee = None
        return ["unit", "assignee"], reason

    return apply_transition(
        order=order,
        actor=actor,
        code="return",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_suspend(
    *,
    order: WorkOrder,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    """Suspend the order (挂起) with a reason. What the suspension does to the clocks is the SLA app's: it
    declares the ``reason_code`` input, and only an accepted reason pauses them."""
    reason = require_text(reason, "reason", _("请填写挂起原因。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.status_before_suspend = o.status
        return ["status_before_suspend"], reason

    return apply_transition(
        order=order,
        actor=actor,
        code="suspend",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_resume(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.status = o.status_before_suspend or Status.DISPATCHED
        o.status_before_suspend = ""
        return ["status", "status_before_suspend"], note

    return apply_transition(
        order=order,
        actor=actor,
        code="resume",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_chase(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    """Count the customer's chase (催办). Whether chases escalate the order is a time-limit policy's: the
    SLA app's transition hook escalates at the count its policy names."""

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.chase_count += 1
        return ["chase_count"], note

    return apply_transition(
        order=order,
        actor=actor,
        code="chase",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_escalate(
    *,
    order: WorkOrder,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    reason = require_text(reason, "reason", _("请填写升级原因。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        return escalate(o), reason

    return apply_transition(
        order=order,
        actor=actor,
        code="escalate",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_merge(
    *,
    order: WorkOrder,
    actor: User,
    parent: WorkOrder,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    """Merge ``order`` into ``parent``: the child closes as 已合并 and its contacts count on the parent.

    Both rows are locked in id order so two merges running at once cannot deadlock.
    """
    if parent is None:
        message = _("请填写主工单编号。")
        raise ValidationFailed(message, fields={"parent": [message]})
    if parent.pk == order.pk:
        raise ValidationFailed(_("不能把工单合并到它自己。"), fields={"parent": [_("请填写另一张工单。")]})
    with transaction.atomic():
        list(WorkOrder.objects.select_for_update().filter(pk__in=[order.pk, parent.pk]).order_by("pk"))
        if request_id and WorkOrderEvent.objects.filter(order_id=order.pk, request_id=request_id).exists():
            # A retry of a merge already applied: the parent must not count the child's contacts twice.
            return apply_transition(
                order=order,
                actor=actor,
                code="merge",
                expected_version=expected_version,
                request_id=request_id,
                request_fingerprint=request_fingerprint,
                change=lambda o: ([], note),
                inputs=inputs,
            )
        parent_now = WorkOrder.objects.select_related("unit").get(pk=parent.pk)

        def change(o: WorkOrder) -> tuple[list[str], str]:
            # Checked after the child's own visibility and the role (inside apply_transition).
            if not user_sees_unit(actor, parent_now.unit):
                raise ValidationFailed(_("找不到主工单。"), fields={"parent": [_("找不到该工单。")]})
            if not parent_now.is_open or parent_now.parent_id is not None:
                raise ValidationFailed(
                    _("主工单已办结或已合并，不能并入。"), fields={"parent": [_("主工单不可用。")]}
                )
            o.parent = parent_now
            o.closed_at = clock.now()
            return ["parent", "closed_at"], note

        child = apply_transition(
            order=order,
            actor=actor,
            code="merge",
            expected_version=expected_version,
            request_id=request_id,
            request_fingerprint=request_fingerprint,
            change=change,
            data={"parent": parent_now.number},
            inputs=inputs,
        )
        before = parent_now.contact_count
        parent_now.contact_count += child.contact_count
        parent_now.version += 1
        parent_now.updated_at = clock.now()
        parent_now.save(update_fields=["contact_count", "version", "updated_at"])
        event_write(
            order=parent_now,
            kind=EventKind.CHILD_MERGED,
            actor=actor,
            note=note,
            data={
                "child": child.number,
                "before": {"contact_count": before},
                "after": {"contact_count": parent_now.contact_count},
            },
        )
    return child


def workorder_reopen(
    *,
    order: WorkOrder,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    reason = require_text(reason, "reason", _("请填写重开原因。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.reopen_count += 1
        o.unit_id = o.owner.unit_id or o.unit_id
        o.assignee = None
        o.satisfaction = ""
        o.callback_resolved = None
        o.closed_at = None
        return ["reopen_count", "unit", "assignee", "satisfaction", "callback_resolved", "closed_at"], reason

    return apply_transition(
        order=order,
        actor=actor,
        code="reopen",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        inputs=inputs,
    )


def workorder_note_add(
    *,
    order: WorkOrder,
    actor: User,
    text: str,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    text = require_text(text, "text", _("请填写备注内容。"))
    return apply_transition(
        order=order,
        actor=actor,
        code="note",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=lambda o: ([], text),
        inputs=inputs,
    )


def workorder_reclassify(
    *,
    order: WorkOrder,
    actor: User,
    business_type: str,
    topic: Topic,
    reason: str,
    sub_type: SubType | None = None,
    cause: dict[str, Any] | None = None,
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    """Change what the order is (重新分类): its business type, sub-type and topic, with a reason — a
    complaint that turns out to be an opinion, a consultation that is a fault. Everything that depends
    on the classification follows in the transition's hooks (the SLA app re-plans the clocks from the
    order's acceptance); the one event keeps the classification before and after.

    This is also the extension point for apps that reclassify as a consequence of their own decision
    (the complaint app downgrades a complaint judged 不成立): ``cause`` (codes, e.g. ``{"app":
    "complaints", "verdict": "invalid", "judgment": 12}``) is stored on the event for their presenter."""
    reason = require_text(reason, "reason", _("请填写重新分类的原因。"))
    errors: dict[str, list[str]] = {}
    if business_type not in BusinessType.values:
        errors["business_type"] = [_("业务类型无效。")]
    if topic is None:
        errors["topic"] = [_("请选择业务分类。")]
    elif "business_type" not in errors and not topic_fits(topic.business_types, business_type):
        errors["topic"] = [_("该业务分类不适用于所选业务类型。")]
    if sub_type is not None and sub_type.business_type != business_type:
        errors["sub_type"] = [_("业务子类与业务类型不符。")]
    if errors:
        raise ValidationFailed(_("重新分类的内容有误，请检查。"), fields=errors)

    def change(o: WorkOrder) -> tuple[list[str], str]:
        wanted = (business_type, sub_type.pk if sub_type is not None else None, topic.pk)
        if (o.business_type, o.sub_type_id, o.topic_id) == wanted:
            message = _("工单已是这一分类。")
            raise ValidationFailed(message, fields={"business_type": [message]})
        o.business_type = business_type
        o.sub_type = sub_type
        o.topic = topic
        return ["business_type", "sub_type", "topic"], reason

    return apply_transition(
        order=order,
        actor=actor,
        code="reclassify",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        data={"cause": cause} if cause else None,
        inputs=inputs,
    )


def workorder_call_out(
    *,
    order: WorkOrder,
    actor: User,
    number: str,
    reached: bool | None = False,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
    request_fingerprint: str = "",
    **inputs: Any,
) -> WorkOrder:
    """Record a call to the customer (联系客户): the number dialled, whether the customer was reached, a
    note. Only a call that reached the customer counts as contact (the clocks see ``contact_reached``); an
    attempt that did not (``contact_attempt``) is recorded and meets nothing."""
    number = require_text(number, "number", _("请填写拨打的号码。"))
    try:
        number = phones.normalise(number)
    except phones.InvalidPhone as invalid:
        raise ValidationFailed(str(invalid), fields={"number": [str(invalid)]}) from None

    def change(o: WorkOrder) -> tuple[list[str], str]:
        return [], note

    return apply_transition(
        order=order,
        actor=actor,
        code="call_out",
        expected_version=expected_version,
        request_id=request_id,
        request_fingerprint=request_fingerprint,
        change=change,
        data={"number": number, "reached": bool(reached)},
        trigger="contact_reached" if reached else "contact_attempt",
        inputs=inputs,
    )


# The service behind each transition code, for the console and API dispatchers.
SERVICES: dict[str, Callable[..., WorkOrder]] = {
    "dispatch": workorder_dispatch,
    "take": workorder_take,
    "arrive": workorder_arrive,
    "resolve": workorder_resolve,
    "reply": workorder_reply,
    "callback": workorder_callback,
    "archive": workorder_archive,
    "answer": workorder_answer,
    "cancel_by_customer": workorder_cancel_by_customer,
    "transfer": workorder_transfer,
    "return": workorder_return,
    "suspend": workorder_suspend,
    "resume": workorder_resume,
    "chase": workorder_chase,
    "escalate": workorder_escalate,
    "merge": workorder_merge,
    "reopen": workorder_reopen,
    "note": workorder_note_add,
    "reclassify": workorder_reclassify,
    "call_out": workorder_call_out,
}
