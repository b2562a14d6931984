"""Every write to a work order. One service per intent; each runs in one transaction, locks the
order row, checks the caller's version, the state machine and the caller's role, then writes the
change and exactly one timeline event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
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
    TransitionNotAllowed,
    ValidationFailed,
    VersionConflict,
)
from powerdesk.customers.models import Customer, CustomerType
from powerdesk.org.models import Unit, UnitKind, User
from powerdesk.org.selectors import user_can_create_orders, user_may, user_visible_unit_ids
from powerdesk.sla import services as sla
from powerdesk.workorders.choices import (
    BusinessType,
    Channel,
    EventKind,
    Priority,
    Satisfaction,
    Status,
)
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import Contact, RepeatCallRule, SubType, Topic, WorkOrder, WorkOrderEvent
from powerdesk.workorders.selectors import transition_refusal
from powerdesk.workorders.transitions import TRANSITIONS

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


# ---------------------------------------------------------------------------------------------
# transitions


TRACKED = [
    "status",
    "unit_id",
    "assignee_id",
    "priority",
    "escalation_level",
    "chase_count",
    "reopen_count",
    "parent_id",
    "result",
    "reply_text",
    "satisfaction",
    "callback_resolved",
    "is_flagged",
    "contact_count",
]


def _snapshot(order: WorkOrder) -> dict[str, Any]:
    return {name: getattr(order, name) for name in TRACKED}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in TRACKED if before[k] != after[k]]
    return {k: before[k] for k in keys}, {k: after[k] for k in keys}


def _apply(
    *,
    order: WorkOrder,
    actor: User,
    code: str,
    expected_version: int | None,
    request_id: str,
    change: Callable[[WorkOrder], tuple[list[str], str]],
    data: dict[str, Any] | None = None,
    clock_code: str | None = None,
    pause_clocks: bool = False,
) -> WorkOrder:
    """Run one transition. ``change`` mutates the locked order and returns (changed fields, note).

    The order's clocks follow the transition (``clock_code`` overrides the code they see, e.g. an
    unreachable callback does not meet the callback clock)."""
    spec = TRANSITIONS[code]
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update().get(pk=order.pk)
        unit_ids = user_visible_unit_ids(actor)
        if unit_ids is not None and locked.unit_id not in unit_ids:
            raise NotFound(_("找不到该工单。"))
        if request_id and locked.events.filter(request_id=request_id).exists():
            return locked  # a retry of a request already applied
        if not user_may(actor, code):
            raise NotPermitted(_("您的角色不能执行“%(action)s”。") % {"action": spec.label})
        if expected_version is not None and locked.version != expected_version:
            raise VersionConflict(
                _("工单已被他人修改（当前版本 %(current)s，您提交的版本 %(yours)s），请刷新后重试。")
                % {"current": locked.version, "yours": expected_version}
            )
        if locked.status not in spec.sources:
            raise TransitionNotAllowed(
                _("工单当前状态为“%(status)s”，不能执行“%(action)s”。")
                % {"status": locked.get_status_display(), "action": spec.label}
            )
        from_status = locked.status
        before = _snapshot(locked)
        changed, note = change(locked)
        if spec.target is not None and "status" not in changed:
            locked.status = spec.target
            changed.append("status")
        now = clock.now()
        clock_changes = sla.clocks_on_transition(locked, clock_code or code, now, pause=pause_clocks)
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=sorted({*changed, "version", "updated_at", "due_at"}))
        old, new = _diff(before, _snapshot(locked))
        extra = {**(data or {}), **({"clocks": clock_changes} if clock_changes else {})}
        event_write(
            order=locked,
            kind=spec.event,
            actor=actor,
            from_status=from_status,
            to_status=locked.status,
            note=note,
            data={"before": old, "after": new, **extra},
            request_id=request_id,
            at=now,
        )
    return locked


def _refuse_unless_applies(order: WorkOrder, code: str) -> None:
    reason = transition_refusal(order, code)
    if reason is not None:
        raise TransitionNotAllowed(reason)


def _require(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, fields={field: [message]})
    return value


def _require_unit(unit: Unit | None) -> Unit:
    if unit is None:
        message = _("请选择处理单位。")
        raise ValidationFailed(message, fields={"unit": [message]})
    return unit


def _dispatch_unit(actor: User, unit: Unit) -> Unit:
    if unit.kind == UnitKind.AREA or not unit.is_active:
        raise ValidationFailed(
            _("只能派往供电所、班组或公司，不能派往台区。"), fields={"unit": [_("请选择有效的处理单位。")]}
        )
    unit_ids = user_visible_unit_ids(actor)
    if unit_ids is not None and unit.pk not in unit_ids:
        raise ValidationFailed(
            _("不能派往本单位管辖范围以外的单位。"), fields={"unit": [_("超出管辖范围。")]}
        )
    return unit


def _check_assignee(unit: Unit, assignee: User | None) -> None:
    if assignee is None:
        return
    if assignee.unit_id is None or assignee.unit_id not in Unit.objects.subtree_ids(unit.pk):
        raise ValidationFailed(
            _("指定的处理人不属于派往单位。"), fields={"assignee": [_("处理人不属于该单位。")]}
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
) -> WorkOrder:
    unit = _require_unit(unit)

    def change(o: WorkOrder) -> tuple[list[str], str]:
        # Checked after the order's visibility and the role: another unit's order is 404 whatever the input.
        _dispatch_unit(actor, unit)
        _check_assignee(unit, assignee)
        o.unit = unit
        o.assignee = assignee
        o.dispatched_at = clock.now()
        return ["unit", "assignee", "dispatched_at"], note

    return _apply(
        order=order,
        actor=actor,
        code="dispatch",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_take(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
) -> WorkOrder:
    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.assignee = actor
        o.taken_at = clock.now()
        return ["assignee", "taken_at"], note

    return _apply(
        order=order,
        actor=actor,
        code="take",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_arrive(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
) -> WorkOrder:
    def change(o: WorkOrder) -> tuple[list[str], str]:
        _refuse_unless_applies(o, "arrive")
        o.arrived_at = clock.now()
        return ["arrived_at"], note

    return _apply(
        order=order,
        actor=actor,
        code="arrive",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_resolve(
    *, order: WorkOrder, actor: User, result: str, expected_version: int | None = None, request_id: str = ""
) -> WorkOrder:
    result = _require(result, "result", _("请填写处理结果。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        _refuse_unless_applies(o, "resolve")
        o.result = result
        o.resolved_at = clock.now()
        return ["result", "resolved_at"], result

    return _apply(
        order=order,
        actor=actor,
        code="resolve",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_reply(
    *,
    order: WorkOrder,
    actor: User,
    reply_text: str,
    expected_version: int | None = None,
    request_id: str = "",
) -> WorkOrder:
    reply_text = _require(reply_text, "reply_text", _("请填写回单内容。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.reply_text = reply_text
        o.replied_at = clock.now()
        return ["reply_text", "replied_at"], reply_text

    return _apply(
        order=order,
        actor=actor,
        code="reply",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
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

    return _apply(
        order=order,
        actor=actor,
        code="callback",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
        clock_code="callback_unreachable" if satisfaction == Satisfaction.UNREACHABLE else None,
    )


def workorder_archive(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
) -> WorkOrder:
    def change(o: WorkOrder) -> tuple[list[str], str]:
        _refuse_unless_applies(o, "archive")
        o.closed_at = clock.now()
        return ["closed_at"], note

    return _apply(
        order=order,
        actor=actor,
        code="archive",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_answer(
    *, order: WorkOrder, actor: User, answer: str, expected_version: int | None = None, request_id: str = ""
) -> WorkOrder:
    answer = _require(answer, "answer", _("请填写答复内容。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        _refuse_unless_applies(o, "answer")
        o.reply_text = answer
        o.replied_at = o.closed_at = clock.now()
        return ["reply_text", "replied_at", "closed_at"], answer

    return _apply(
        order=order,
        actor=actor,
        code="answer",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_transfer(
    *,
    order: WorkOrder,
    actor: User,
    unit: Unit,
    reason: str,
    expected_version: int | None = None,
    request_id: str = "",
) -> WorkOrder:
    reason = _require(reason, "reason", _("请填写转派原因。"))
    unit = _require_unit(unit)

    def change(o: WorkOrder) -> tuple[list[str], str]:
        _dispatch_unit(actor, unit)
        if o.unit_id == unit.pk:
            raise ValidationFailed(_("工单已在该单位，无需转派。"), fields={"unit": [_("请选择其他单位。")]})
        o.unit = unit
        o.assignee = None
        o.dispatched_at = clock.now()
        return ["unit", "assignee", "dispatched_at"], reason

    return _apply(
        order=order,
        actor=actor,
        code="transfer",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_return(
    *, order: WorkOrder, actor: User, reason: str, expected_version: int | None = None, request_id: str = ""
) -> WorkOrder:
    """Send the order back to the unit of the person who took the call (首问负责), with a reason."""
    reason = _require(reason, "reason", _("请填写回退原因。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.unit_id = o.owner.unit_id or o.unit_id
        o.assignee = None
        return ["unit", "assignee"], reason

    return _apply(
        order=order,
        actor=actor,
        code="return",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_suspend(
    *,
    order: WorkOrder,
    actor: User,
    reason: str,
    reason_code: str = "",
    expected_version: int | None = None,
    request_id: str = "",
) -> WorkOrder:
    """Suspend the order. Only an accepted reason (``SuspendReason.pauses_clocks``) pauses its clocks."""
    reason = _require(reason, "reason", _("请填写挂起原因。"))
    pause = sla.suspend_pauses(reason_code)

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.status_before_suspend = o.status
        return ["status_before_suspend"], reason

    return _apply(
        order=order,
        actor=actor,
        code="suspend",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
        pause_clocks=pause,
        data={"reason_code": reason_code, "clocks_paused": pause},
    )


def workorder_resume(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
) -> WorkOrder:
    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.status = o.status_before_suspend or Status.DISPATCHED
        o.status_before_suspend = ""
        return ["status", "status_before_suspend"], note

    return _apply(
        order=order,
        actor=actor,
        code="resume",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_chase(
    *,
    order: WorkOrder,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
) -> WorkOrder:
    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.chase_count += 1
        threshold = sla.chase_escalation_threshold(o)
        if threshold is not None and o.chase_count >= threshold:
            # The policy says this many chases escalate at once (priority, level, flag).
            o.escalation_level += 1
            o.priority = min(o.priority + 1, Priority.URGENT)
            o.is_flagged = True
            return ["chase_count", "escalation_level", "priority", "is_flagged"], note
        return ["chase_count"], note

    return _apply(
        order=order,
        actor=actor,
        code="chase",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_escalate(
    *, order: WorkOrder, actor: User, reason: str, expected_version: int | None = None, request_id: str = ""
) -> WorkOrder:
    reason = _require(reason, "reason", _("请填写升级原因。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.escalation_level += 1
        o.priority = min(o.priority + 1, Priority.URGENT)
        o.is_flagged = True
        return ["escalation_level", "priority", "is_flagged"], reason

    return _apply(
        order=order,
        actor=actor,
        code="escalate",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_merge(
    *,
    order: WorkOrder,
    actor: User,
    parent: WorkOrder,
    note: str = "",
    expected_version: int | None = None,
    request_id: str = "",
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
            return _apply(
                order=order,
                actor=actor,
                code="merge",
                expected_version=expected_version,
                request_id=request_id,
                change=lambda o: ([], note),
            )
        parent_now = WorkOrder.objects.get(pk=parent.pk)

        def change(o: WorkOrder) -> tuple[list[str], str]:
            # Checked after the child's own visibility and the role (inside _apply).
            unit_ids = user_visible_unit_ids(actor)
            if unit_ids is not None and parent_now.unit_id not in unit_ids:
                raise ValidationFailed(_("找不到主工单。"), fields={"parent": [_("找不到该工单。")]})
            if not parent_now.is_open or parent_now.parent_id is not None:
                raise ValidationFailed(
                    _("主工单已办结或已合并，不能并入。"), fields={"parent": [_("主工单不可用。")]}
                )
            o.parent = parent_now
            o.closed_at = clock.now()
            return ["parent", "closed_at"], note

        child = _apply(
            order=order,
            actor=actor,
            code="merge",
            expected_version=expected_version,
            request_id=request_id,
            change=change,
            data={"parent": parent_now.number},
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
    *, order: WorkOrder, actor: User, reason: str, expected_version: int | None = None, request_id: str = ""
) -> WorkOrder:
    reason = _require(reason, "reason", _("请填写重开原因。"))

    def change(o: WorkOrder) -> tuple[list[str], str]:
        o.reopen_count += 1
        o.unit_id = o.owner.unit_id or o.unit_id
        o.assignee = None
        o.satisfaction = ""
        o.callback_resolved = None
        o.closed_at = None
        return ["reopen_count", "unit", "assignee", "satisfaction", "callback_resolved", "closed_at"], reason

    return _apply(
        order=order,
        actor=actor,
        code="reopen",
        expected_version=expected_version,
        request_id=request_id,
        change=change,
    )


def workorder_note_add(
    *, order: WorkOrder, actor: User, text: str, expected_version: int | None = None, request_id: str = ""
) -> WorkOrder:
    text = _require(text, "text", _("请填写备注内容。"))
    return _apply(
        order=order,
        actor=actor,
        code="note",
        expected_version=expected_version,
        request_id=request_id,
        change=lambda o: ([], text),
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
    "transfer": workorder_transfer,
    "return": workorder_return,
    "suspend": workorder_suspend,
    "resume": workorder_resume,
    "chase": workorder_chase,
    "escalate": workorder_escalate,
    "merge": workorder_merge,
    "reopen": workorder_reopen,
    "note": workorder_note_add,
}
