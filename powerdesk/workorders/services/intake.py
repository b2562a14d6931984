"""Intake: take one customer contact, and either open a new order or link it as a repeat call.

This is the busiest write of the system (a province at surge takes hundreds a second), so after the
checks it talks to PostgreSQL in few, prepared statements (:mod:`powerdesk.core.sql`):

1. ``pg_advisory_xact_lock`` on (customer, topic): two contacts of one customer about one topic at the
   same moment are taken one after the other, so the second finds the first one's order;
2. the repeat candidate, locked (``FOR UPDATE``) so a transition running at the same time waits;
3. one statement that writes everything: the order with its clocks, timeline event and contact; or, for
   a repeat call, the order's new count/flag/priority, the 重复致电 event and the contact.

Idempotency needs no statement of its own: the contact's unique ``idempotency_key`` (and the event's
unique request id on an order) make a retried request fail at step 3 once the first one has committed;
the whole transaction is then rolled back and the first result is answered instead.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from powerdesk.core import clock, sql
from powerdesk.core.errors import IdempotencyMismatch, NotFound, NotPermitted, ValidationFailed
from powerdesk.customers.models import Customer, CustomerType
from powerdesk.org.models import Unit, User
from powerdesk.org.selectors import user_can_create_orders, user_sees_unit
from powerdesk.sla import services as sla
from powerdesk.sla.models import Clock
from powerdesk.workorders import reference
from powerdesk.workorders.choices import BusinessType, Channel, EventKind, Priority, Status
from powerdesk.workorders.models import Contact, RepeatCallRule, SubType, Topic, WorkOrder
from powerdesk.workorders.reference import repeat_rule_for

__all__ = ["IntakeResult", "repeat_candidate", "repeat_rule_for", "workorder_intake"]


@dataclass(frozen=True)
class IntakeResult:
    order: WorkOrder
    contact: Contact
    created: bool  # a new order was opened
    repeat: bool  # the contact was linked to an existing order as a repeat call
    replayed: bool = False  # the same Idempotency-Key was seen before: nothing new was written


@dataclass
class _Contact:
    """What the caller told us, checked: the input of every intake path."""

    actor: User
    business_type: str
    topic: Topic
    channel: str
    description: str
    customer: Customer | None
    sub_type: SubType | None
    caller_phone: str
    caller_name: str
    address: str
    priority: int | None
    facts: dict[str, Any]
    idempotency_key: str | None
    force_new: bool
    override_reason: str
    request_id: str
    now: datetime = field(default_factory=clock.now)
    fingerprint: str = ""

    def __post_init__(self) -> None:
        # What makes two requests under one Idempotency-Key the same request. A key belongs to its caller:
        # another user's request under the same key is a mismatch, not a replay.
        self.fingerprint = _fingerprint(
            {
                "actor": self.actor.pk,
                "business_type": self.business_type,
                "topic": self.topic.code if self.topic is not None else None,
                "channel": self.channel,
                "description": self.description,
                "customer": self.customer.account_no if self.customer else None,
                "sub_type": self.sub_type.code if self.sub_type else None,
                "caller_phone": self.caller_phone,
                "caller_name": self.caller_name,
                "address": self.address,
                "priority": self.priority,
                "facts": self.facts,
                "force_new": self.force_new,
            }
        )


def _fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _default_priority(customer: Customer | None) -> int:
    if customer is None:
        return Priority.NORMAL
    if customer.customer_type == CustomerType.IMPORTANT or customer.is_life_support:
        return Priority.HIGH
    return Priority.NORMAL


def _check_customer_visible(actor: User, customer: Customer | None) -> None:
    if customer is not None and not user_sees_unit(actor, customer.area):
        raise NotFound(_("找不到该客户。"))


def _validate(c: _Contact) -> None:
    errors: dict[str, list[str]] = {}
    if c.business_type not in BusinessType.values:
        errors["business_type"] = [_("业务类型无效。")]
    if c.topic is None:
        errors["topic"] = [_("请选择业务分类。")]
    if c.channel not in Channel.values:
        errors["channel"] = [_("受理渠道无效。")]
    if c.priority is not None and c.priority not in Priority.values:
        errors["priority"] = [_("紧急程度无效。")]
    if c.sub_type is not None and c.sub_type.business_type != c.business_type:
        errors["sub_type"] = [_("业务子类与业务类型不符。")]
    if not (c.description or "").strip():
        errors["description"] = [_("请填写诉求内容。")]
    if c.force_new and not (c.override_reason or "").strip():
        errors["override_reason"] = [_("忽略重复来电新建工单时，必须填写原因。")]
    if c.customer is None and not (c.caller_phone or c.address):
        errors["customer"] = [_("请选择客户，或填写来电号码或地址。")]
    if errors:
        raise ValidationFailed(_("受理信息有误，请检查。"), fields=errors)


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

    1. Check the caller's role and the input.
    2. Unless the agent overrides (``force_new`` with a reason), look for the order this contact repeats
       (:func:`repeat_candidate`) and link it there: count the contact, and at the rule's threshold raise
       the priority and flag the order.
    3. Otherwise open a new order with its clocks and first timeline event.
    Every path records a :class:`Contact`. With an ``idempotency_key``, a retry answers with the first
    result and writes nothing; the same key with a different request raises :class:`IdempotencyMismatch`.
    """
    if not user_can_create_orders(actor):
        raise NotPermitted(_("您的角色不能受理工单。"))
    if actor.unit_id is None:
        raise ValidationFailed(_("您的账号未设置所属单位，不能受理工单。"))
    _check_customer_visible(actor, customer)
    contact = _Contact(
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
        idempotency_key=idempotency_key or None,
        force_new=force_new,
        override_reason=override_reason,
        request_id=request_id,
    )
    _validate(contact)
    try:
        with transaction.atomic():
            return _take(contact)
    except IntegrityError:
        # A retry of a request that committed meanwhile: the unique key refused the second contact.
        if contact.idempotency_key:
            earlier = _replay(contact.idempotency_key, contact.fingerprint)
            if earlier is not None:
                return earlier
            # The key is already the request id of another action on the order this contact repeats.
            raise IdempotencyMismatch(_("该幂等键已用于另一个不同内容的请求。")) from None
        raise


def _replay(idempotency_key: str, fingerprint: str) -> IntakeResult | None:
    contact = (
        Contact.objects.select_related("order", "order__topic", "order__unit", "order__customer")
        .select_related("order__assignee", "order__sub_type")
        .filter(idempotency_key=idempotency_key)
        .first()
    )
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


def _take(c: _Contact) -> IntakeResult:
    candidate = None
    if c.customer is not None:
        rule = repeat_rule_for(c.topic)
        if rule is not None:
            with sql.cursor() as cur:
                # Two contacts of one customer about one topic at once: the second waits here for the
                # first to commit, and then finds its order instead of opening another.
                cur.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                    [f"repeat:{c.customer.pk}:{c.topic.pk}"],
                    prepare=True,
                )
            candidate = _candidate(customer=c.customer, topic=c.topic, rule=rule, now=c.now, lock=True)
            if candidate is not None and not c.force_new:
                return _link_repeat(c, candidate, rule)
    return _open(c, overridden=candidate)


# ---------------------------------------------------------------------------------------------
# the repeat candidate

_ORDER_NAMES, _ORDER_COLUMNS = sql.column_list(WorkOrder, "w")
# The column list comes from the model, not from input. The order is found (and, for the intake, locked)
# first; its unit and assignee are joined to that one row.
_CANDIDATE_SQL = f"""
SELECT {_ORDER_COLUMNS}, u.code, u.name, a.username, a.full_name
FROM (
    SELECT * FROM workorders_workorder c
    WHERE c.customer_id = %(customer)s AND c.topic_id = %(topic)s AND c.status <> 'merged'
      AND (c.status <> 'archived'
           OR greatest(c.closed_at, (SELECT max(k.at) FROM workorders_contact k WHERE k.order_id = c.id))
              >= %(since)s)
    ORDER BY c.status = 'archived', c.created_at DESC, c.id DESC
    LIMIT 1
    {{lock}}
) w
JOIN org_unit u ON u.id = w.unit_id
LEFT JOIN org_user a ON a.id = w.assignee_id
"""  # noqa: S608
_CANDIDATE = {False: _CANDIDATE_SQL.format(lock=""), True: _CANDIDATE_SQL.format(lock="FOR UPDATE OF c")}


def repeat_candidate(*, customer: Customer, topic: Topic, rule: RepeatCallRule | None) -> WorkOrder | None:
    """The order a new contact of ``customer`` about ``topic`` repeats, or None.

    An open order of that customer and topic (the newest), else an archived one that the customer
    called about, or that was closed, within the rule's window: the customer is still calling about the
    same event. Merged orders never count (their parent does)."""
    if rule is None:
        return None
    return _candidate(customer=customer, topic=topic, rule=rule, now=clock.now(), lock=False)


def _candidate(
    *, customer: Customer, topic: Topic, rule: RepeatCallRule, now: datetime, lock: bool
) -> WorkOrder | None:
    params = {"customer": customer.pk, "topic": topic.pk, "since": now - timedelta(days=rule.window_days)}
    with sql.cursor() as cur:
        cur.execute(_CANDIDATE[lock], params, prepare=True)
        row = cur.fetchone()
    if row is None:
        return None
    n = len(_ORDER_NAMES)
    order = sql.instance(WorkOrder, _ORDER_NAMES, row[:n])
    unit_code, unit_name, assignee_username, assignee_name = row[n:]
    order.topic = topic
    order.customer = customer
    order.sub_type = reference.sub_type_by_id(order.sub_type_id)
    order.unit = sql.instance(Unit, ["id", "code", "name"], [order.unit_id, unit_code, unit_name])
    if order.assignee_id is not None:
        order.assignee = sql.instance(
            User, ["id", "username", "full_name"], [order.assignee_id, assignee_username, assignee_name]
        )
    return order


# ---------------------------------------------------------------------------------------------
# writes

# The timeline event and the contact of an intake, after the CTE ``o`` that wrote the order.
_EVENT_AND_CONTACT = """e AS (
    INSERT INTO workorders_workorderevent
        (order_id, kind, actor_id, at, from_status, to_status, note, data, request_id)
    SELECT o.id, %(kind)s::text, %(actor)s::bigint, %(now)s::timestamptz, '', %(to_status)s::text,
           %(description)s::text, %(data)s::jsonb, %(request_id)s::text
    FROM o
), k AS (
    INSERT INTO workorders_contact (customer_id, order_id, channel, phone, summary, is_repeat, agent_id, at,
                                    idempotency_key, request_fingerprint)
    SELECT %(customer)s::bigint, o.id, %(channel)s::text, %(phone)s::text, %(description)s::text,
           %(is_repeat)s::boolean, %(actor)s::bigint, %(now)s::timestamptz, %(idempotency_key)s::text,
           %(fingerprint)s::text
    FROM o
    RETURNING id
)"""

_LINK_SQL = f"""
WITH o AS (
    UPDATE workorders_workorder
    SET contact_count = %(contact_count)s, is_flagged = %(is_flagged)s, priority = %(priority)s,
        version = version + 1, updated_at = %(now)s
    WHERE id = %(order)s
    RETURNING id, version
), {_EVENT_AND_CONTACT}
SELECT o.version, (SELECT id FROM k) FROM o
"""  # noqa: S608 - constants


def _link_repeat(c: _Contact, order: WorkOrder, rule: RepeatCallRule) -> IntakeResult:
    """Count the contact on ``order`` (locked); at the rule's threshold flag it and raise its priority."""
    tracked = ("contact_count", "priority", "is_flagged")
    before = {name: getattr(order, name) for name in tracked}
    order.contact_count += 1
    if order.contact_count >= rule.escalate_at and not order.is_flagged:
        order.is_flagged = True
        order.priority = min(order.priority + 1, Priority.URGENT)
    after = {name: getattr(order, name) for name in tracked}
    data = {"before": before, "after": after, "channel": c.channel, "phone": c.caller_phone}
    assert c.customer is not None
    with sql.cursor() as cur:
        cur.execute(
            _LINK_SQL,
            {
                "order": order.pk,
                "contact_count": order.contact_count,
                "is_flagged": order.is_flagged,
                "priority": order.priority,
                "kind": EventKind.REPEAT_CALL.value,
                "to_status": "",
                "is_repeat": True,
                "data": Jsonb(data),
                **_contact_params(c),
            },
            prepare=True,
        )
        order.version, contact_id = _one(cur)
    order.updated_at = c.now
    return IntakeResult(order=order, contact=_contact(c, order, contact_id, True), created=False, repeat=True)


_OPEN_SQL = f"""
WITH n AS (
    SELECT nextval('workorder_number_seq')::text AS seq
), o AS (
    INSERT INTO workorders_workorder (
        number, business_type, sub_type_id, topic_id, channel, priority, status, status_before_suspend,
        customer_id, area_id, address, caller_name, caller_phone, description, facts, unit_id, owner_id,
        assignee_id, parent_id, contact_count, chase_count, escalation_level, reopen_count, is_flagged,
        result, reply_text, satisfaction, callback_resolved, created_at, dispatched_at, taken_at,
        arrived_at, resolved_at, replied_at, called_back_at, closed_at, updated_at, due_at, version)
    SELECT %(day)s::text || lpad(n.seq, greatest(8, length(n.seq)), '0'), %(business_type)s::text,
        %(sub_type)s::bigint, %(topic)s::bigint, %(channel)s::text, %(priority)s::smallint, 'accepted', '',
        %(customer)s::bigint, %(area)s::bigint, %(address)s::text, %(caller_name)s::text, %(phone)s::text,
        %(description)s::text, %(facts)s::jsonb, %(unit)s::bigint, %(actor)s::bigint, NULL, NULL, 1, 0, 0, 0,
        false, '', '', '', NULL, %(now)s::timestamptz, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        %(now)s::timestamptz, %(due_at)s::timestamptz, 1
    FROM n
    RETURNING id, number
), c AS (
    INSERT INTO sla_clock (order_id, policy_id, kind, state, started_at, due_at, allowed_seconds, met_at,
                           breached_at, paused_at, paused_seconds, level, next_check_at)
    SELECT o.id, v.policy_id, v.kind, 'running', %(now)s::timestamptz, v.due_at, v.allowed_seconds, NULL,
           NULL, NULL, 0, 0, v.next_check_at
    FROM o, unnest(%(clock_policy)s::bigint[], %(clock_kind)s::text[], %(clock_due)s::timestamptz[],
                   %(clock_allowed)s::integer[], %(clock_next)s::timestamptz[])
         AS v(policy_id, kind, due_at, allowed_seconds, next_check_at)
), {_EVENT_AND_CONTACT}
SELECT o.id, o.number, (SELECT id FROM k) FROM o
"""  # noqa: S608 - constants


def _open(c: _Contact, *, overridden: WorkOrder | None) -> IntakeResult:
    """Open a new order with its clocks, its 受理 event and the contact, in one statement."""
    customer = c.customer
    order = WorkOrder(
        business_type=c.business_type,
        sub_type=c.sub_type,
        topic=c.topic,
        channel=c.channel,
        priority=c.priority or _default_priority(customer),
        status=Status.ACCEPTED,
        customer=customer,
        area_id=customer.area_id if customer else None,
        address=c.address or (customer.address if customer else ""),
        caller_name=c.caller_name,
        caller_phone=c.caller_phone,
        description=c.description,
        facts=c.facts,
        unit_id=c.actor.unit_id or 0,  # checked in workorder_intake: an actor without a unit takes no calls
        owner=c.actor,
        created_at=c.now,
        updated_at=c.now,
    )
    if customer is not None:
        order.area = customer.area
    order.unit = c.actor.unit  # type: ignore[assignment]  # set: checked in workorder_intake
    clocks = sla.plan_clocks(order, "intake", c.now)
    order.due_at = min((k.due_at for k in clocks), default=None)
    data: dict[str, Any] = {
        "after": {"status": Status.ACCEPTED, "unit": order.unit_id, "priority": order.priority}
    }
    if clocks:
        data["clocks"] = sla.clock_summary(clocks)
    if overridden is not None:
        data["override"] = {"candidate": overridden.number, "reason": c.override_reason}
    with sql.cursor() as cur:
        cur.execute(
            _OPEN_SQL,
            {
                "day": f"{c.now.astimezone(clock.BUSINESS_TZ):%y%m%d}",
                "business_type": c.business_type,
                "sub_type": c.sub_type.pk if c.sub_type else None,
                "topic": c.topic.pk,
                "priority": order.priority,
                "area": order.area_id,
                "address": order.address,
                "caller_name": c.caller_name,
                "facts": Jsonb(c.facts),
                "unit": order.unit_id,
                "due_at": order.due_at,
                "kind": EventKind.CREATED.value,
                "to_status": Status.ACCEPTED.value,
                "is_repeat": False,
                "data": Jsonb(data),
                **_clock_params(clocks),
                **_contact_params(c),
            },
            prepare=True,
        )
        order.pk, order.number, contact_id = _one(cur)
    sql.mark_saved(order)
    for k in clocks:
        k.order_id = order.pk
    return IntakeResult(
        order=order, contact=_contact(c, order, contact_id, False), created=True, repeat=False
    )


def _one(cur: Any) -> tuple[Any, ...]:
    """The one row a write statement returns (each returns exactly one)."""
    row = cur.fetchone()
    assert row is not None
    return tuple(row)


def _clock_params(clocks: list[Clock]) -> dict[str, list[Any]]:
    return {
        "clock_policy": [k.policy_id for k in clocks],
        "clock_kind": [k.kind for k in clocks],
        "clock_due": [k.due_at for k in clocks],
        "clock_allowed": [k.allowed_seconds for k in clocks],
        "clock_next": [k.next_check_at for k in clocks],
    }


def _contact_params(c: _Contact) -> dict[str, Any]:
    return {
        "now": c.now,
        "actor": c.actor.pk,
        "customer": c.customer.pk if c.customer else None,
        "channel": c.channel,
        "phone": c.caller_phone,
        "description": c.description,
        "request_id": c.request_id or "",
        "idempotency_key": c.idempotency_key,
        "fingerprint": c.fingerprint,
    }


def _contact(c: _Contact, order: WorkOrder, pk: int, is_repeat: bool) -> Contact:
    contact = Contact(
        pk=pk,
        customer=c.customer,
        order=order,
        channel=c.channel,
        phone=c.caller_phone,
        summary=c.description,
        is_repeat=is_repeat,
        agent=c.actor,
        at=c.now,
        idempotency_key=c.idempotency_key,
        request_fingerprint=c.fingerprint,
    )
    return sql.mark_saved(contact)
