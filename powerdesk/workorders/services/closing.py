"""The transitions that close an order or open it again: the callback, the archive, an answer at first
contact, the customer's withdrawal, a merge into another order, a re-open."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.org.models import User
from powerdesk.org.selectors import user_sees_unit
from powerdesk.workorders.choices import EventKind, Satisfaction
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from powerdesk.workorders.services.engine import apply_transition, refuse_unless_applies, require_text


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
