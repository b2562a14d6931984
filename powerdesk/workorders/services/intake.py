"""Intake: take one customer contact, and either open a new order or link it as a repeat call."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import (
    IdempotencyMismatch,
    NotFound,
    NotPermitted,
    ValidationFailed,
)
from powerdesk.customers.models import Customer, CustomerType
from powerdesk.org.models import User
from powerdesk.org.selectors import user_can_create_orders, user_visible_unit_ids
from powerdesk.sla import services as sla
from powerdesk.workorders.choices import (
    BusinessType,
    Channel,
    EventKind,
    Priority,
    Status,
)
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import Contact, RepeatCallRule, SubType, Topic, WorkOrder

# ---------------------------------------------------------------------------------------------
# intake


@dataclass(frozen=True)
class IntakeResult:
    order: WorkOrder
    contact: Contact
    created: bool  # a new order was opened
    repeat: bool  # the contact was linked to an existing order as a repeat call
    replayed: bool = False  # the same Idempotency-Key was seen before: nothing new was written


def _fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _next_number() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT nextval('workorder_number_seq')")
        (seq,) = cur.fetchone()
    return f"{clock.local_now():%y%m%d}{seq:08d}"


def repeat_rule_for(topic: Topic) -> RepeatCallRule | None:
    rules = {
        r.topic_id: r
        for r in RepeatCallRule.objects.filter(Q(topic=topic) | Q(topic__isnull=True), is_active=True)
    }
    return rules.get(topic.pk) or rules.get(None)


def repeat_candidate(*, customer: Customer, topic: Topic, rule: RepeatCallRule | None) -> WorkOrder | None:
    """The order a new contact repeats: an open order of the same customer and topic, else one of that
    topic created within the rule's window (archived included: the customer is still calling about it)."""
    if rule is None:
        return None
    same = WorkOrder.objects.filter(customer=customer, topic=topic).exclude(status=Status.MERGED)
    open_order = same.exclude(status=Status.ARCHIVED).order_by("-created_at").first()
    if open_order is not None:
        return open_order
    since = clock.now() - timedelta(days=rule.window_days)
    return same.filter(created_at__gte=since).order_by("-created_at").first()


def _default_priority(customer: Customer | None, business_type: str) -> int:
    if customer is None:
        return Priority.NORMAL
    if customer.customer_type == CustomerType.IMPORTANT or customer.is_life_support:
        return Priority.HIGH
    return Priority.NORMAL


def _check_customer_visible(actor: User, customer: Customer | None) -> None:
    if customer is None:
        return
    unit_ids = user_visible_unit_ids(actor)
    if unit_ids is not None and customer.area_id not in unit_ids:
        raise NotFound(_("找不到该客户。"))


def workorder_intake(
    *,
    actor: User,
    business_type: str,
    topic: Topic,
    channel: str,
    description: str,
    customer: Customer | None = None,
    sub_type: SubType | None = None,
    caller_phone: str = "",
    caller_name: str = "",
    address: str = "",
    priority: int | None = None,
    facts: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    force_new: bool = False,
    override_reason: str = "",
    request_id: str = "",
) -> IntakeResult:
    """Take one customer contact.

    1. With an ``idempotency_key``, serialise retries on an advisory lock and return the earlier
       result if the key was seen (refuse it if the payload differs).
    2. Unless the agent overrides, look for the order this contact repeats and link it there: count
       the contact, and at the rule's threshold raise the priority and flag the order.
    3. Otherwise open a new order with its first timeline event.
    Every path records a :class:`Contact`.
    """
    if not user_can_create_orders(actor):
        raise NotPermitted(_("您的角色不能受理工单。"))
    if actor.unit_id is None:
        raise ValidationFailed(_("您的账号未设置所属单位，不能受理工单。"))
    _check_customer_visible(actor, customer)
    errors: dict[str, list[str]] = {}
    if business_type not in BusinessType.values:
        errors["business_type"] = [_("业务类型无效。")]
    if topic is None:
        errors["topic"] = [_("请选择业务分类。")]
    if channel not in Channel.values:
        errors["channel"] = [_("受理渠道无效。")]
    if priority is not None and priority not in Priority.values:
        errors["priority"] = [_("紧急程度无效。")]
    if sub_type is not None and sub_type.business_type != business_type:
        errors["sub_type"] = [_("业务子类与业务类型不符。")]
    if not (description or "").strip():
        errors["description"] = [_("请填写诉求内容。")]
    if force_new and not (override_reason or "").strip():
        errors["override_reason"] = [_("忽略重复来电新建工单时，必须填写原因。")]
    if customer is None and not (caller_phone or address):
        errors["customer"] = [_("请选择客户，或填写来电号码或地址。")]
    if errors:
        raise ValidationFailed(_("受理信息有误，请检查。"), fields=errors)

    payload = {
        # A key belongs to its caller: another user's request under the same key is a mismatch, not a replay.
        "actor": actor.pk,
        "business_type": business_type,
        "topic": topic.code,
        "channel": channel,
        "description": description,
        "customer": customer.account_no if customer else None,
        "sub_type": sub_type.code if sub_type else None,
        "caller_phone": caller_phone,
        "caller_name": caller_name,
        "address": address,
        "priority": priority,
        "facts": facts or {},
        "force_new": force_new,
    }
    fingerprint = _fingerprint(payload)

    try:
        with transaction.atomic():
            if idempotency_key:
                with connection.cursor() as cur:
                    # Concurrent retries of one request wait here for the first to commit.
                    cur.execute(
                        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"intake:{idempotency_key}"]
                    )
                earlier = _replay(idempotency_key, fingerprint)
                if earlier is not None:
                    return earlier
            return _intake_locked(
                actor=actor,
                business_type=business_type,
                topic=topic,
                channel=channel,
                description=description,
                customer=customer,
                sub_type=sub_type,
                caller_phone=caller_phone,
                caller_name=caller_name,
                address=address,
                priority=priority,
                facts=facts or {},
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                force_new=force_new,
                override_reason=override_reason,
                request_id=request_id,
            )
    except IntegrityError:
        # Safety net behind the advisory lock: the unique key constraint caught a duplicate.
        if idempotency_key:
            earlier = _replay(idempotency_key, fingerprint)
            if earlier is not None:
                return earlier
            # The key is already the request id of another action on the order this contact repeats.
            raise IdempotencyMismatch(_("该幂等键已用于另一个不同内容的请求。")) from None
        raise


def _replay(idempotency_key: str, fingerprint: str) -> IntakeResult | None:
    contact = Contact.objects.select_related("order").filter(idempotency_key=idempotency_key).first()
    if contact is None:
        return None
    if contact.request_fingerprint != fingerprint:
        raise IdempotencyMismatch(_("该幂等键已用于另一个不同内容的请求。"))
    return IntakeResult(
        order=contact.order,
        contact=contact,
        created=not contact.is_repeat,
        repeat=contact.is_repeat,
        replayed=True,
    )


def _intake_locked(
    *,
    actor: User,
    business_type: str,
    topic: Topic,
    channel: str,
    description: str,
    customer: Customer | None,
    sub_type: SubType | None,
    caller_phone: str,
    caller_name: str,
    address: str,
    priority: int | None,
    facts: dict[str, Any],
    idempotency_key: str | None,
    fingerprint: str,
    force_new: bool,
    override_reason: str,
    request_id: str,
) -> IntakeResult:
    now = clock.now()
    if customer is not None:
        with connection.cursor() as cur:
            # Two contacts of one customer about one topic at the same moment: the second waits for the
            # first to commit and then finds its order, instead of both opening a new one.
            cur.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"repeat:{customer.pk}:{topic.pk}"]
            )
    rule = repeat_rule_for(topic) if customer is not None else None
    candidate = repeat_candidate(customer=customer, topic=topic, rule=rule) if customer is not None else None

    def contact_for(order: WorkOrder, is_repeat: bool) -> Contact:
        return Contact.objects.create(
            customer=customer,
            order=order,
            channel=channel,
            phone=caller_phone,
            summary=description,
            is_repeat=is_repeat,
            agent=actor,
            at=now,
            idempotency_key=idempotency_key or None,
            request_fingerprint=fingerprint,
        )

    if candidate is not None and not force_new:
        assert rule is not None
        order = WorkOrder.objects.select_for_update().get(pk=candidate.pk)
        before = {
            "contact_count": order.contact_count,
            "priority": order.priority,
            "is_flagged": order.is_flagged,
        }
        order.contact_count += 1
        if order.contact_count >= rule.escalate_at and not order.is_flagged:
            order.is_flagged = True
            order.priority = min(order.priority + 1, Priority.URGENT)
        order.version += 1
        order.updated_at = now
        order.save(update_fields=["contact_count", "is_flagged", "priority", "version", "updated_at"])
        after = {
            "contact_count": order.contact_count,
            "priority": order.priority,
            "is_flagged": order.is_flagged,
        }
        event_write(
            order=order,
            kind=EventKind.REPEAT_CALL,
            actor=actor,
            note=description,
            data={"before": before, "after": after, "channel": channel, "phone": caller_phone},
            request_id=request_id,
            at=now,
        )
        return IntakeResult(order=order, contact=contact_for(order, True), created=False, repeat=True)

    order = WorkOrder.objects.create(
        number=_next_number(),
        business_type=business_type,
        sub_type=sub_type,
        topic=topic,
        channel=channel,
        priority=priority or _default_priority(customer, business_type),
        status=Status.ACCEPTED,
        customer=customer,
        area=customer.area if customer else None,
        address=address or (customer.address if customer else ""),
        caller_name=caller_name,
        caller_phone=caller_phone,
        description=description,
        facts=facts,
        unit_id=actor.unit_id or 0,  # checked above: an actor without a unit cannot take calls
        owner=actor,
        created_at=now,
        updated_at=now,
    )
    clocks = sla.clocks_on_intake(order, now)
    if order.due_at is not None:
        order.save(update_fields=["due_at"])
    data: dict[str, Any] = {
        "after": {"status": Status.ACCEPTED, "unit": order.unit_id, "priority": order.priority}
    }
    if clocks:
        data["clocks"] = clocks
    if candidate is not None:
        data["override"] = {"candidate": candidate.number, "reason": override_reason}
    event_write(
        order=order,
        kind=EventKind.CREATED,
        actor=actor,
        to_status=Status.ACCEPTED,
        note=description,
        data=data,
        request_id=request_id,
        at=now,
    )
    return IntakeResult(order=order, contact=contact_for(order, False), created=True, repeat=False)
