"""Repeat calls (重复致电): the work-order app's own intake resolver.

A later contact of the same customer about the same topic is the same event: it is counted on the order
it repeats instead of opening another one; at the rule's threshold the order is flagged and its priority
raised. The rule is data (``RepeatCallRule``: a window in days, the call that escalates).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from powerdesk.core import clock
from powerdesk.customers.models import Customer
from powerdesk.workorders import extensions, rules
from powerdesk.workorders.choices import EventKind, Status
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import Contact, RepeatCallRule, Topic, WorkOrder
from powerdesk.workorders.reference import repeat_rule_for
from powerdesk.workorders.services.intake import IntakeContact, IntakeResult, contact_record

__all__ = ["repeat_candidate", "repeat_resolver", "repeat_rule_for"]


def _candidates(customer: Customer, topic: Topic, since: datetime):
    """An open order of ``customer`` and ``topic`` (the newest), else an archived one that the customer
    called about, or that was closed, since ``since``. Merged orders never count (their parent does)."""
    called_since = Exists(Contact.objects.filter(order=OuterRef("pk"), at__gte=since))
    return (
        WorkOrder.objects.filter(customer=customer, topic=topic)
        .exclude(status=Status.MERGED)
        .filter(~Q(status=Status.ARCHIVED) | Q(closed_at__gte=since) | called_since)
        .order_by(
            Case(When(status=Status.ARCHIVED, then=Value(1)), default=Value(0), output_field=IntegerField()),
            "-created_at",
            "-id",
        )
    )


def repeat_candidate(*, customer: Customer, topic: Topic, rule: RepeatCallRule | None) -> WorkOrder | None:
    """The order a new contact of ``customer`` about ``topic`` would repeat, or None (for the console's
    warning while the agent types)."""
    if rule is None:
        return None
    since = clock.now() - timedelta(days=rule.window_days)
    return _candidates(customer, topic, since).select_related("unit", "assignee", "sub_type").first()


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
    candidate = (
        _candidates(c.customer, c.topic, since)
        .select_related("unit", "assignee", "sub_type")
        .select_for_update(of=("self",))
        .first()
    )
    if candidate is None:
        return None
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
