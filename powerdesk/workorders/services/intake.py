"""Intake: take one customer contact, and either link it to an existing order or open a new one.

Steps of :func:`workorder_intake`, in one transaction:

1. check the caller's role and the input;
2. ask the intake resolvers, in their order (:data:`powerdesk.workorders.extensions.intake_resolvers`),
   what the contact is: the first answer wins. The repeat-call resolver (:mod:`.repeats`) is the
   work-order app's own; apps above register theirs (a known outage …);
3. a link writes itself (a repeat call counts the contact on its order); otherwise a new order is opened:
   the ``order_opening`` hooks fill in what they own (the SLA app plans the clocks and the due time), the
   order row is written, then the ``order_opened`` hooks write their rows (the clocks), then the 受理
   event and the contact (one statement for both).

Idempotency needs no statement of its own: the contact's unique ``idempotency_key`` (unique in
``ContactKey``, written by the contacts' trigger, since the contacts are partitioned by month; and the event's
unique request id on an order) make a retried request fail once the first one has committed; the whole
transaction is then rolled back and the first result is answered instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from powerdesk.core import bulk, clock, idempotency, metrics, phones, sql
from powerdesk.core.errors import IdempotencyMismatch, NotFound, NotPermitted, ValidationFailed
from powerdesk.customers.models import Customer
from powerdesk.org.models import User
from powerdesk.org.selectors import user_can_create_orders, user_company_id, user_sees_unit
from powerdesk.workorders import extensions, reference, rules
from powerdesk.workorders.choices import (
    BusinessType,
    Channel,
    EventKind,
    Priority,
    RepeatAction,
    Status,
)
from powerdesk.workorders.events import event_row, event_write, loaded_company_id
from powerdesk.workorders.models import Contact, OrderLink, SubType, Topic, WorkOrder, WorkOrderEvent
from powerdesk.workorders.selectors import contact_by_idempotency_key
from powerdesk.workorders.services.routing import workorder_auto_dispatch

__all__ = ["IntakeContact", "IntakeResult", "contact_record", "order_open", "workorder_intake"]


@dataclass(frozen=True)
class IntakeResult:
    order: WorkOrder
    contact: Contact
    created: bool  # a new order was opened
    repeat: bool  # the contact was linked to an existing order as a repeat call
    replayed: bool = False  # the same Idempotency-Key was seen before: nothing new was written
    # With an earlier order of the customer found: what the repeat-call rule suggested, what was done
    # (``RepeatAction`` values), and the link a new order got to the earlier one.
    suggested: str = ""
    action: str = ""
    link: OrderLink | None = None
    # What the resolver that decided wants the caller told (``Resolution.extra``): not kept on a replay.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class IntakeContact:
    """What the caller told us, checked: the input of every intake path and of the resolvers."""

    actor: User
    business_type: str
    topic: Topic
    channel: str
    description: str
    customer: Customer | None
    sub_type: SubType | None
    caller_phone: str  # normalised (core.phones)
    caller_name: str
    address: str
    priority: int | None
    facts: dict[str, Any]
    idempotency_key: str | None
    force_new: bool
    override_reason: str
    request_id: str
    # The agent's choice over the repeat-call rule's suggestion ("" = the rule's default), and an order
    # the agent picked to add the contact to (the customer panel's one click).
    repeat_action: str = ""
    link_to: WorkOrder | None = None
    caller_withheld: bool = False  # no caller ID: the phone system said so
    # The company taking the call (the accepting unit's: org.selectors.unit_company_id): the new order's,
    # and the one the repeat-call lookup searches.
    company_id: int = 0
    phone_error: str = ""  # why caller_phone is not a phone number, for the field error
    now: datetime = field(default_factory=clock.now)
    fingerprint: str = ""
    # values of the extra intake form fields the apps above declared (``extensions.intake_hints``)
    hints: dict[str, str] = field(default_factory=dict)

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
                "caller_withheld": self.caller_withheld,
                "caller_name": self.caller_name,
                "address": self.address,
                "priority": self.priority,
                "facts": self.facts,
                "force_new": self.force_new,
                "repeat_action": self.repeat_action,
                "link_to": self.link_to.number if self.link_to is not None else None,
            }
        )


def _fingerprint(payload: dict[str, Any]) -> str:
    return idempotency.fingerprint(payload)


def _check_customer_visible(actor: User, customer: Customer | None) -> None:
    if customer is not None and not user_sees_unit(actor, customer.area):
        raise NotFound(_("找不到该客户。"))


def _validate(c: IntakeContact) -> None:
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
    fits = rules.topic_fits(c.topic.business_types, c.business_type) if c.topic is not None else True
    if "business_type" not in errors and not fits:
        errors["topic"] = [_("该业务分类不适用于所选业务类型。")]
    if not (c.description or "").strip():
        errors["description"] = [_("请填写诉求内容。")]
    if c.force_new and not (c.override_reason or "").strip():
        errors["override_reason"] = [_("忽略重复来电新建工单时，必须填写原因。")]
    if c.repeat_action and c.repeat_action not in RepeatAction.values:
        errors["repeat_action"] = [_("处理方式无效。")]
    elif c.force_new and c.repeat_action in (RepeatAction.LINK, RepeatAction.REOPEN):
        errors["repeat_action"] = [_("已选择新建工单，不能同时选择计入原工单或重开。")]
    if c.link_to is not None and (c.customer is None or c.link_to.customer_id != c.customer.pk):
        errors["link_to"] = [_("该工单不属于此客户。")]
    if c.phone_error:
        errors["caller_phone"] = [c.phone_error]
    elif c.caller_withheld and c.caller_phone:
        errors["caller_phone"] = [_("已标记未显示来电号码时，不能再填写来电号码。")]
    if c.customer is None and not (c.caller_phone or c.caller_withheld or c.address):
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
    repeat_action: str = "",
    link_to: WorkOrder | None = None,
    caller_withheld: bool = False,
    hints: dict[str, str] | None = None,
) -> IntakeResult:
    """Take one customer contact (see the module doc for the steps). Every path records a
    :class:`Contact`. When the customer has an earlier order of the topic, the repeat-call rule's action
    decides (a repeat call, a new order linked as 复发 or follow-up, a re-open); ``repeat_action`` (with
    ``override_reason`` when it differs from the rule's) or ``force_new`` override it; ``link_to`` adds
    the contact to that order of the customer. With an ``idempotency_key``, a retry answers with the
    first result and writes nothing; the same key with a different request raises
    :class:`IdempotencyMismatch`."""
    if not user_can_create_orders(actor):
        raise NotPermitted(_("您的角色不能受理工单。"))
    company_id = user_company_id(actor)
    if company_id is None:
        raise ValidationFailed(_("您的账号未设置所属单位，不能受理工单。"))
    _check_customer_visible(actor, customer)
    # Stored and compared (the idempotency fingerprint) in one form, whatever the caller typed.
    phone_error = ""
    try:
        caller_phone = phones.normalise(caller_phone)
    except phones.InvalidPhone as invalid:
        phone_error = str(invalid)
    contact = IntakeContact(
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
        repeat_action=repeat_action,
        link_to=link_to,
        caller_withheld=caller_withheld,
        company_id=company_id,
        phone_error=phone_error,
        hints=dict(hints or {}),
    )
    _validate(contact)
    try:
        with transaction.atomic():
            result = _take(contact)
    except IntegrityError:
        # A retry of a request that committed meanwhile: the unique key refused the second contact.
        if contact.idempotency_key:
            earlier = _replay(contact.company_id, contact.idempotency_key, contact.fingerprint)
            if earlier is not None:
                _count(contact, earlier)
                return earlier
            # The key is already the request id of another action on the order this contact repeats.
            raise IdempotencyMismatch(_("该幂等键已用于另一个不同内容的请求。")) from None
        raise
    _count(contact, result)
    return result


def _count(c: IntakeContact, result: IntakeResult) -> None:
    """The intake rate's counter (``/metrics``), once the contact is committed: one increment, no query."""
    if result.replayed:
        outcome = "replayed"
    elif result.created:
        outcome = "opened"
    else:
        outcome = "repeat" if result.repeat else "linked"
    metrics.INTAKES.labels(c.channel, outcome).inc()


def _replay(company_id: int, idempotency_key: str, fingerprint: str) -> IntakeResult | None:
    """The first result of the request sent under ``idempotency_key``. Looked up in the caller's company
    (the key's contact is there: the fingerprint ties a key to its user, and a user to one company), so
    on a database sharded by company the lookup goes to one node; a key of another company's contact
    is not found, and answered as reused."""
    contact = contact_by_idempotency_key(idempotency_key, company_id=company_id)
    if contact is None:
        return None
    if contact.request_fingerprint != fingerprint:
        raise IdempotencyMismatch(_("该幂等键已用于另一个不同内容的请求。"))
    link = (
        None
        if contact.is_repeat
        # the earlier order is the same company's (a resolver links within the company it searched)
        else OrderLink.objects.select_related("earlier")
        .filter(order=contact.order, earlier__company_id=company_id)
        .first()
    )
    return IntakeResult(
        order=contact.order,
        contact=contact,
        created=not contact.is_repeat,
        repeat=contact.is_repeat,
        replayed=True,
        suggested=link.suggested if link is not None else "",
        action=link.chosen if link is not None else "",
        link=link,
    )


def _take(c: IntakeContact) -> IntakeResult:
    notes: dict[str, Any] = {}  # what resolvers that do not decide want the caller told
    result: IntakeResult | None = None
    for resolve in extensions.intake_resolvers:
        resolution = resolve(c)
        if resolution is None:
            continue
        if not resolution.decides:
            notes.update(resolution.extra)
            continue
        if resolution.write is not None:
            result = resolution.write(c, resolution)
        else:
            result = _open(c, related=resolution)
        break
    if result is None:
        result = _open(c, related=None)
    return replace(result, extra={**notes, **result.extra}) if notes else result


# Unqualified: the demo's parallel loader gives each of its connections a temporary sequence of this name.
_NEXT_NUMBER_SQL = "SELECT nextval('workorder_number_seq')"


def _next_number(at: datetime) -> str:
    """The next order number (工单编号): the business day as yymmdd, then the sequence, 8 digits at least."""
    with sql.cursor() as cur:
        cur.execute(_NEXT_NUMBER_SQL, prepare=True)
        (seq,) = cur.fetchone() or (0,)
    return f"{at.astimezone(clock.BUSINESS_TZ):%y%m%d}{seq:08d}"


def contact_record(
    c: IntakeContact, order: WorkOrder, *, is_repeat: bool, event: dict[str, Any] | None = None
) -> Contact:
    """Write the :class:`Contact` of ``c`` on ``order`` (every intake path ends with it), and with it, in
    the same statement, the event of ``order`` that records it (``event``: a row of
    :func:`powerdesk.workorders.events.event_row`), when given: one round trip for both."""
    contact = Contact(
        customer=c.customer,
        order=order,
        channel=c.channel,
        phone=c.caller_phone,
        phone_withheld=c.caller_withheld,
        summary=c.description,
        is_repeat=is_repeat,
        agent=c.actor,
        at=c.now,
        idempotency_key=c.idempotency_key,
        request_fingerprint=c.fingerprint,
    )
    company_id = loaded_company_id(order)
    if company_id is not None:  # the order's, as the insert trigger would set it: it looks nothing up
        contact.company_id = company_id
    if event is None:
        bulk.insert_objects([contact])
    else:
        _events, [key] = bulk.insert_together(
            (WorkOrderEvent, [event]), (Contact, [bulk.object_row(contact)])
        )
        bulk.mark_inserted(contact, key)
    return contact


def order_open(c: IntakeContact, *, related: extensions.Resolution | None) -> IntakeResult:
    """Open a new order for ``c`` (for a resolver's ``write`` that needs one, e.g. an outage's order)."""
    return _open(c, related=related)


def _open(c: IntakeContact, *, related: extensions.Resolution | None) -> IntakeResult:
    """Open a new order with what the extensions add, its 受理 event and the contact."""
    customer = c.customer
    order = WorkOrder(
        number=_next_number(c.now),
        business_type=c.business_type,
        sub_type=c.sub_type,
        topic=c.topic,
        channel=c.channel,
        priority=c.priority
        or rules.default_priority(
            business_type=c.business_type, customer=customer, rules=reference.priority_rules()
        ),
        status=Status.ACCEPTED,
        customer=customer,
        area=customer.area if customer is not None else None,
        address=c.address or (customer.address if customer else ""),
        caller_name=c.caller_name,
        caller_phone=c.caller_phone,
        caller_withheld=c.caller_withheld,
        description=c.description,
        facts=c.facts,
        company_id=c.company_id,
        unit=c.actor.unit,
        owner=c.actor,
        created_at=c.now,
        updated_at=c.now,
    )
    opening = extensions.OpenContext(order=order, actor=c.actor, at=c.now)
    for hook in extensions.order_opening:
        hook(opening)
    bulk.insert_objects([order])
    for hook in extensions.order_opened:
        hook(opening)
    data: dict[str, Any] = {
        "after": {"status": Status.ACCEPTED, "unit": order.unit_id, "priority": order.priority},
        **opening.event_data,
    }
    if related is not None and related.order is not None:
        if related.relation or not related.link:
            data[related.relation or "related"] = {
                "candidate": related.order.number,
                **({"reason": c.override_reason} if c.override_reason else {}),
                **related.data,
            }
        if related.link:
            data["link"] = {"kind": related.link, "order": related.order.number, **related.decision}
    counted = extensions.ContactContext(
        order=order, contact=c, event_data=data, opened=True, opening=opening.state
    )
    for count in extensions.contact_counted:
        count(counted)
    created = event_row(
        order=order,
        kind=EventKind.CREATED,
        actor=c.actor,
        to_status=Status.ACCEPTED,
        note=c.description,
        data=data,
        request_id=c.request_id,
        at=c.now,
    )
    contact = contact_record(c, order, is_repeat=False, event=created)
    for accepted in extensions.order_accepted:
        accepted(counted)
    link = _link_orders(c, order, related) if related is not None and related.link else None
    # A fault repair whose routing rule says so is dispatched now, in this transaction, by the system.
    # … unless the resolver vetoed it (a call under a known outage: the crew is already on it).
    if related is None or not related.no_dispatch:
        order = workorder_auto_dispatch(order=order) or order
    return IntakeResult(
        order=order,
        contact=contact,
        created=True,
        repeat=False,
        suggested=str(related.decision.get("suggested", "")) if related is not None else "",
        action=str(related.decision.get("chosen", "")) if related is not None else "",
        link=link,
        extra=dict(related.extra) if related is not None else {},
    )


def _link_orders(c: IntakeContact, order: WorkOrder, related: extensions.Resolution) -> OrderLink:
    """Link the new ``order`` to the earlier (locked) one the resolver found: the link row, and the
    earlier order's own event naming the new one (the new order's 受理 event names the earlier)."""
    earlier = related.order
    assert earlier is not None
    decision = related.decision
    link = OrderLink(
        order=order,
        earlier=earlier,
        kind=related.link,
        suggested=decision.get("suggested", ""),
        chosen=decision.get("chosen", ""),
        reason=decision.get("reason", ""),
        actor=c.actor,
        at=c.now,
    )
    bulk.insert_objects([link])  # the intake's hot path: the prepared insert, not save()
    event_write(
        order=earlier,
        kind=EventKind.LINKED,
        actor=c.actor,
        data={"link": {"kind": related.link, "order": order.number, **decision}},
        at=c.now,
    )
    return link
