"""Repeat calls (重复致电): the work-order app's own intake resolver.

A later contact of the same customer about the same topic is the same event: it is counted on the order
it repeats instead of opening another one; at the rule's threshold the order is flagged and its priority
raised. The rule is data (``RepeatCallRule``: a window in days, the call that escalates).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Max

from powerdesk.core import clock, sql
from powerdesk.customers.models import Customer
from powerdesk.org.models import Unit, User
from powerdesk.workorders import extensions, reference, rules
from powerdesk.workorders.choices import EventKind, Status
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import Contact, RepeatCallRule, Topic, WorkOrder
from powerdesk.workorders.reference import repeat_rule_for
from powerdesk.workorders.services.intake import IntakeContact, IntakeResult, contact_record

__all__ = ["repeat_candidate", "repeat_resolver", "repeat_rule_for", "repeats_order"]


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


# The newest orders of a customer and topic (the index wo_customer_topic_created), read on every intake
# with a customer: a prepared statement, since compiling the same queryset each time cost more than
# running it. Which of them the contact repeats is decided in Python (repeats_order).
_RECENT_SQL = f"""
SELECT id, status, closed_at FROM workorders_workorder
WHERE customer_id = %s AND topic_id = %s AND status <> '{Status.MERGED.value}'
ORDER BY created_at DESC, id DESC LIMIT {RECENT}
"""  # noqa: S608 - constants


def _candidate(customer: Customer, topic: Topic, since: datetime) -> int | None:
    """The id of the order a contact of ``customer`` about ``topic`` repeats (:func:`repeats_order`):
    the newest open one, else the newest archived one within the window."""
    with sql.cursor() as cur:
        cur.execute(_RECENT_SQL, [customer.pk, topic.pk], prepare=True)
        recent = [_Recent(*row) for row in cur.fetchall()]
    for order in recent:
        if order.status != Status.ARCHIVED:
            return order.pk
    archived = [o.pk for o in recent if not (o.closed_at and o.closed_at >= since)]
    called = (
        dict(
            Contact.objects.filter(order_id__in=archived, at__gte=since)
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
WHERE w.id = %s
FOR UPDATE OF w
"""  # noqa: S608 - the column list comes from the model


def _lock(pk: int) -> WorkOrder | None:
    with sql.cursor() as cur:
        cur.execute(_LOCK_SQL, [pk], prepare=True)
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


def repeat_candidate(*, customer: Customer, topic: Topic, rule: RepeatCallRule | None) -> WorkOrder | None:
    """The order a new contact of ``customer`` about ``topic`` would repeat, or None (for the console's
    warning while the agent types)."""
    if rule is None:
        return None
    pk = _candidate(customer, topic, clock.now() - timedelta(days=rule.window_days))
    return WorkOrder.objects.select_related("unit", "assignee", "sub_type").get(pk=pk) if pk else None


def repeat_resolver(c: IntakeContact) -> extensions.Resolution | None:
    """The intake resolver: the order ``c`` repeats, locked, linked unless the agent overrides
    (``force_new`` with a reason: a new order naming the candidate)."""
    if c.customer is None:
        return None
    rule = repeat_rule_for(c.topic)
    if rule is None:
        return None
    with connection.cursor() as cur:
        # Two contacts of one customer about one topic at once: the second waits here for the first to
        # commit, and then finds its order instead of opening another.
        cur.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"repeat:{c.customer.pk}:{c.topic.pk}"]
        )
    since = c.now - timedelta(days=rule.window_days)
    found = _candidate(c.customer, c.topic, since)
    if found is None:
        return None
    candidate = _lock(found)
    if candidate is None or candidate.status == Status.MERGED:
        return None  # merged meanwhile: its parent is not this customer's repeat (their topics may differ)
    candidate.topic = c.topic
    candidate.customer = c.customer
    if c.force_new:
        return extensions.Resolution(order=candidate, relation="override")
    return extensions.Resolution(order=candidate, write=_link, data={"rule": rule.pk})


def _link(c: IntakeContact, resolution: extensions.Resolution) -> IntakeResult:
    """Count the contact on the locked order; at the rule's threshold flag it and raise its priority."""
    order = resolution.order
    assert order is not None
    rule = repeat_rule_for(c.topic)
    assert rule is not None
    tracked = ("contact_count", "priority", "is_flagged")
    before = {name: getattr(order, name) for name in tracked}
    order.contact_count += 1
    if order.contact_count >= rule.escalate_at and not order.is_flagged:
        order.is_flagged = True
        order.priority = rules.raise_priority(order.priority)
    order.version += 1
    order.updated_at = c.now
    order.save(update_fields=[*tracked, "version", "updated_at"])
    after = {name: getattr(order, name) for name in tracked}
    data: dict[str, Any] = {"before": before, "after": after, "channel": c.channel, "phone": c.caller_phone}
    event_write(
        order=order,
        kind=EventKind.REPEAT_CALL,
        actor=c.actor,
        note=c.description,
        data=data,
        request_id=c.request_id,
        at=c.now,
    )
    return IntakeResult(
        order=order, contact=contact_record(c, order, is_repeat=True), created=False, repeat=True
    )
