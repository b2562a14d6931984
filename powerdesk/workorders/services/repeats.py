"""Repeat calls (重复致电): the work-order app's own intake resolver.

A later contact of the same customer about the same topic finds the earlier order (the newest open one,
else an archived one within the rule's window); what it becomes is the rule's action for that order's
business type and state (``RepeatCallAction`` rows, decided by ``rules.repeat_action``):

* ``link``: the same event, counted on the order (a repeat call); at the rule's threshold the order is
  flagged and its priority raised;
* ``recur`` / ``follow_up`` / ``new``: a new order, dispatched normally, linked to the earlier one as
  复发 / 跟进 / 关联 (``OrderLink``, an event on both timelines);
* ``reopen``: the earlier order is re-opened (the ``reopen`` transition, under the caller's role).

The agent (or the API caller) may choose another action than the rule's with a reason; both are recorded.
The rule is data (``RepeatCallRule``: a window in days, the call that escalates, its actions).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Max
from django.utils.translation import gettext as _

from powerdesk.core import bulk, clock, sql
from powerdesk.core.errors import ValidationFailed
from powerdesk.customers.models import Customer
from powerdesk.org.models import Unit, User
from powerdesk.workorders import extensions, reference, rules
from powerdesk.workorders.choices import ACTION_LINKS, EventKind, RepeatAction, Status
from powerdesk.workorders.events import event_row
from powerdesk.workorders.models import Contact, RepeatCallRule, Topic, WorkOrder
from powerdesk.workorders.reference import repeat_rule_for
from powerdesk.workorders.services.closing import workorder_reopen
from powerdesk.workorders.services.intake import IntakeContact, IntakeResult, contact_record

__all__ = [
    "repeat_candidate",
    "repeat_resolver",
    "repeat_rule_for",
    "repeat_suggestion",
    "repeats_order",
]


# How many of a customer's latest orders of one topic the rule looks at: the order a contact repeats is
# the newest open one, else a recent archived one; older orders of the pair cannot be it.
RECENT = 5


def repeats_order(order: Any, *, since: datetime, last_contact: datetime | None = None) -> bool:
    """The repeat-call rule for one earlier order of the same customer and topic: an open order, or an
    archived one that was closed, or that the customer last called about, since ``since`` (the rule's
    window). Merged orders never count (their parent does)."""
    if order.status == Status.MERGED:
        return False
    if order.status != Status.ARCHIVED:
        return True
    return (order.closed_at is not None and order.closed_at >= since) or (
        last_contact is not None and last_contact >= since
    )


class _Recent(NamedTuple):
    pk: int
    status: str
    closed_at: datetime | None


# The newest orders of a customer and topic in the intake's company (the index wo_company_customer_topic),
# read on every intake
# with a customer: a prepared statement, since compiling the same queryset each time cost more than
# running it. Which of them the contact repeats is decided in Python (repeats_order).
_RECENT_SQL = f"""
SELECT id, status, closed_at FROM workorders_workorder
WHERE company_id = %s AND customer_id = %s AND topic_id = %s AND status <> '{Status.MERGED.value}'
ORDER BY created_at DESC, id DESC LIMIT {RECENT}
"""  # noqa: S608 - constants


def _candidate(company_id: int, customer: Customer, topic: Topic, since: datetime) -> int | None:
    """The id of the order a contact of ``customer`` about ``topic`` repeats (:func:`repeats_order`):
    the newest open one, else the newest archived one within the window."""
    with sql.cursor() as cur:
        cur.execute(_RECENT_SQL, [company_id, customer.pk, topic.pk], prepare=True)
        recent = [_Recent(*row) for row in cur.fetchall()]
    for order in recent:
        if order.status != Status.ARCHIVED:
            return order.pk
    archived = [o.pk for o in recent if not (o.closed_at and o.closed_at >= since)]
    called = (
        dict(
            Contact.objects.filter(company_id=company_id, order_id__in=archived, at__gte=since)
            .values_list("order_id")
            .annotate(last=Max("at"))
        )
        if archived
        else {}
    )
    return next((o.pk for o in recent if repeats_order(o, since=since, last_contact=called.get(o.pk))), None)


_ORDER_NAMES, _ORDER_COLUMNS = sql.column_list(WorkOrder, "w")
# The candidate, locked, with what the answer shows of it (its unit and handler): read as of the lock,
# since a transition may have changed it after it was found. Every column, by the model's own list.
_LOCK_SQL = f"""
SELECT {_ORDER_COLUMNS}, u.code, u.name, a.username, a.full_name
FROM workorders_workorder w
JOIN org_unit u ON u.id = w.unit_id
LEFT JOIN org_user a ON a.id = w.assignee_id
WHERE w.company_id = %s AND w.id = %s
FOR UPDATE OF w
"""  # noqa: S608 - the column list comes from the model


def _lock(company_id: int, pk: int) -> WorkOrder | None:
    with sql.cursor() as cur:
        cur.execute(_LOCK_SQL, [company_id, pk], prepare=True)
        row = cur.fetchone()
    if row is None:
        return None
    n = len(_ORDER_NAMES)
    order = sql.instance(WorkOrder, _ORDER_NAMES, row[:n])
    unit_code, unit_name, assignee_username, assignee_name = row[n:]
    order.unit = sql.instance(Unit, ["id", "code", "name"], [order.unit_id, unit_code, unit_name])
    order.assignee = (
        sql.instance(
            User, ["id", "username", "full_name"], [order.assignee_id, assignee_username, assignee_name]
        )
        if order.assignee_id is not None
        else None
    )
    order.sub_type = reference.sub_type_by_id(order.sub_type_id)
    return order


def repeat_candidate(
    *, company_id: int, customer: Customer, topic: Topic, rule: RepeatCallRule | None
) -> WorkOrder | None:
    """The order a new contact of ``customer`` about ``topic`` would repeat in the company that takes the
    call, or None (for the console's warning while the agent types)."""
    if rule is None:
        return None
    pk = _candidate(company_id, customer, topic, clock.now() - timedelta(days=rule.window_days))
    if not pk:
        return None
    return WorkOrder.objects.select_related("unit", "assignee", "sub_type").get(company_id=company_id, pk=pk)


def repeat_suggestion(order: WorkOrder, topic: Topic | None = None) -> str:
    """What the repeat-call rule suggests for a new contact about ``order`` (of its topic unless
    ``topic`` is given): a ``RepeatAction`` value."""
    topic = topic or reference.topic_by_id(order.topic_id)
    if topic is None:
        return RepeatAction.LINK
    return rules.repeat_action(
        reference.repeat_action_rows(topic),
        business_type=order.business_type,
        archived=order.status == Status.ARCHIVED,
    )


def _lock_pair(customer: Customer, topic_pk: int) -> None:
    with connection.cursor() as cur:
        # Two contacts of one customer about one topic at once: the second waits here for the first to
        # commit, and then finds its order instead of opening another.
        cur.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"repeat:{customer.pk}:{topic_pk}"]
        )


def repeat_resolver(c: IntakeContact) -> extensions.Resolution | None:
    """The intake resolver: the order ``c`` repeats (or the one the agent picked, ``link_to``), locked,
    and what the contact becomes: the rule's action, or the agent's with a reason."""
    if c.customer is None:
        return None
    if c.link_to is not None:
        _lock_pair(c.customer, c.link_to.topic_id)
        candidate = _lock(c.link_to.company_id, c.link_to.pk)
        if candidate is None or candidate.status == Status.MERGED:
            raise ValidationFailed(
                _("该工单已合并，请选择其主工单。"), fields={"link_to": [_("该工单已合并，请选择其主工单。")]}
            )
        topic = reference.topic_by_id(candidate.topic_id) or c.topic
    else:
        rule = repeat_rule_for(c.topic)
        if rule is None:
            return None
        _lock_pair(c.customer, c.topic.pk)
        company_id = c.company_id
        found = _candidate(company_id, c.customer, c.topic, c.now - timedelta(days=rule.window_days))
        if found is None:
            return None
        candidate = _lock(company_id, found)
        if candidate is None or candidate.status == Status.MERGED:
            return None  # merged meanwhile: its parent is not this customer's repeat (topics may differ)
        topic = c.topic
    candidate.topic = topic
    candidate.customer = c.customer
    return _decide(c, candidate)


def _decide(c: IntakeContact, candidate: WorkOrder) -> extensions.Resolution:
    """The rule's suggestion for ``candidate``, the caller's choice over it (a reason when they
    differ), and the resolution that carries it out."""
    rule = repeat_rule_for(candidate.topic)
    suggested = repeat_suggestion(candidate, candidate.topic)
    if c.repeat_action:
        chosen = c.repeat_action
    elif c.force_new:
        chosen = suggested if ACTION_LINKS.get(RepeatAction(suggested)) else RepeatAction.NEW
    elif c.link_to is not None:
        chosen = RepeatAction.LINK
    else:
        chosen = suggested
    reason = (c.override_reason or "").strip()
    if chosen != suggested and not reason:
        message = _("未采用规则建议的处理方式（%(action)s），请填写原因。") % {
            "action": RepeatAction(suggested).label
        }
        raise ValidationFailed(message, fields={"override_reason": [message]})
    decision = {
        "rule": rule.pk if rule is not None else None,
        "suggested": suggested,
        "chosen": chosen,
        **({"reason": reason} if reason else {}),
    }
    if chosen == RepeatAction.LINK:
        return extensions.Resolution(order=candidate, write=_link, decision=decision)
    if chosen == RepeatAction.REOPEN:
        return extensions.Resolution(order=candidate, write=_reopen, decision=decision)
    return extensions.Resolution(
        order=candidate,
        relation="override" if c.force_new else "",
        link=ACTION_LINKS[RepeatAction(chosen)],
        decision=decision,
    )


def _reopen(c: IntakeContact, resolution: extensions.Resolution) -> IntakeResult:
    """Re-open the archived order through the ``reopen`` transition (its one event, under the caller's
    role: a role that may not re-open is refused), and record the contact on it."""
    assert resolution.order is not None
    decision = resolution.decision
    order = workorder_reopen(
        order=resolution.order,
        actor=c.actor,
        reason=str(decision.get("reason") or c.description),
        request_id=c.request_id,
    )
    return IntakeResult(
        order=order,
        contact=contact_record(c, order, is_repeat=True),
        created=False,
        repeat=True,
        suggested=str(decision.get("suggested", "")),
        action=RepeatAction.REOPEN,
    )


def _link(c: IntakeContact, resolution: extensions.Resolution) -> IntakeResult:
    """Count the contact on the locked order; at the rule's threshold flag it and raise its priority."""
    order = resolution.order
    assert order is not None
    rule = repeat_rule_for(order.topic)
    escalate_at = rule.escalate_at if rule is not None else None
    tracked = ("contact_count", "priority", "is_flagged")
    before = {name: getattr(order, name) for name in tracked}
    order.contact_count += 1
    if escalate_at is not None and order.contact_count >= escalate_at and not order.is_flagged:
        order.is_flagged = True
        order.priority = rules.raise_priority(order.priority)
    order.version += 1
    order.updated_at = c.now
    # one UPDATE of the locked row (the ORM's save costs more than the statement on the intake's path)
    bulk.bulk_update(WorkOrder, [order], [*tracked, "version", "updated_at"], route="company_id")
    after = {name: getattr(order, name) for name in tracked}
    data: dict[str, Any] = {"before": before, "after": after, "channel": c.channel, "phone": c.caller_phone}
    decision = resolution.decision
    data["decision"] = dict(decision)
    counted = extensions.ContactContext(order=order, contact=c, event_data=data)
    for count in extensions.contact_counted:
        count(counted)
    event = event_row(
        order=order,
        kind=EventKind.REPEAT_CALL,
        actor=c.actor,
        note=c.description,
        data=data,
        request_id=c.request_id,
        at=c.now,
    )
    return IntakeResult(
        order=order,
        contact=contact_record(c, order, is_repeat=True, event=event),
        created=False,
        repeat=True,
        suggested=str(decision.get("suggested", "")),
        action=RepeatAction.LINK,
    )
