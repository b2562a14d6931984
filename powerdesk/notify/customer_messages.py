"""Telling the customer about their order at each step: accepted, dispatched (field work), replied,
closed. Which template and to whom is data (``CustomerMessageRule``, decided by
:func:`powerdesk.notify.rules.message_rule_for`); the message is enqueued through the one enqueue path,
so opt-outs and quiet hours apply (:mod:`powerdesk.notify.policy`), in the transaction of the step, at
most once per order and step (the dedupe key ``customer:<order>:<step>``).

Who receives it: the caller's number for a message about the order (none when the caller withheld the
number: the row is recorded as suppressed), the account holder's phone for a message about the account.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from powerdesk.core import refcache
from powerdesk.notify import rules
from powerdesk.notify.extensions import customer_message_context
from powerdesk.notify.models import CustomerMessageRule, MessageAudience, SuppressedReason
from powerdesk.notify.services import notification_enqueue_many
from powerdesk.org.models import Unit
from powerdesk.workorders.models import WorkOrder


def message_rules() -> list[CustomerMessageRule]:
    return refcache.get(
        "notify.customer_message_rules",
        lambda: list(CustomerMessageRule.objects.select_related("template").filter(is_active=True)),
    )


def dedupe_key(order: WorkOrder, step: str) -> str:
    return f"customer:{order.pk}:{step}"


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%m月%d日%H:%M") if value else ""


def _area(order: WorkOrder) -> Unit | None:
    """The 台区 of the customer (its manager's name and phone are on the sign in the street), else the
    order's own."""
    if order.customer_id is not None and order.customer is not None:
        return order.customer.area
    return order.area if order.area_id else None


def message_context(order: WorkOrder, step: str) -> dict[str, Any]:
    """The variables a step's template may use, then what the apps above add."""
    area = _area(order)
    assignee = order.assignee if order.assignee_id else None
    context: dict[str, Any] = {
        "order_number": order.number,
        "business_type": order.get_business_type_display(),
        "due_at": _when(order.due_at),  # the promised time, as the clocks set it on the order
        "accepted_at": _when(order.created_at),
        "unit": order.unit.name if order.unit_id else "",
        "assignee": assignee.display_name if assignee else "",
        "manager_name": area.manager_name if area else "",
        "manager_phone": area.manager_phone if area else "",
        "account_no": order.customer.account_no if order.customer_id and order.customer else "",
    }
    for hook in customer_message_context:
        context.update(hook(order, step))
    return context


def _recipient(order: WorkOrder, audience: str) -> str:
    if audience == MessageAudience.ACCOUNT_HOLDER:
        return order.customer.primary_phone if order.customer_id and order.customer else ""
    return "" if order.caller_withheld else (order.caller_phone or "").strip()


def step_rule(order: WorkOrder, step: str) -> CustomerMessageRule | None:
    """The active rule that tells the customer about ``step`` of ``order``, if any (the apps above ask
    whether their own text rides on the step's message)."""
    return rules.message_rule_for(
        message_rules(), business_type=order.business_type, sub_type_id=order.sub_type_id, step=step
    )


def customer_message_enqueue(*, order: WorkOrder, step: str) -> int | None:
    """Enqueue the message of ``step`` for ``order`` (in the caller's transaction), if a rule says so.

    Returns the id of the notification written (pending, deferred or suppressed), or ``None``: no
    active rule for the step, or the step was told before (the dedupe key)."""
    rule = step_rule(order, step)
    if rule is None:
        return None
    address = _recipient(order, rule.audience)
    created = notification_enqueue_many(
        [
            {
                "channel": rule.channel,
                "template_code": rule.template.code,
                "context": message_context(order, step),
                "recipient_address": address,
                "order_id": order.pk,
                "customer_id": order.customer_id,
                "dedupe_key": dedupe_key(order, step),
                "suppress": "" if address else SuppressedReason.NO_NUMBER,
            }
        ]
    )
    return created[0] if created else None
