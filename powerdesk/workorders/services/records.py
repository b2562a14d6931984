"""The transitions that record something on an order without moving it along: a note, a new
classification, a call to the customer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from powerdesk.core import phones
from powerdesk.core.errors import ValidationFailed
from powerdesk.org.models import User
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import SubType, Topic, WorkOrder
from powerdesk.workorders.rules import topic_fits
from powerdesk.workorders.services.engine import apply_transition, require_text


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
