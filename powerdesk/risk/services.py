"""Writes of the early warning: re-score an order (and its customer) after a contact or a transition,
and tell the unit head once when the score reaches the threshold.

Called inside the caller's transaction (the intake's, the transition's), which holds the order's row
lock: two re-scorings of one order never interleave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from powerdesk.core import bulk, clock
from powerdesk.core.sql import CompiledRead, mark_saved
from powerdesk.customers.models import Customer
from powerdesk.notify.services import notification_enqueue
from powerdesk.org.models import Unit, UnitHead, User
from powerdesk.outages.models import Interruption
from powerdesk.risk import reference, rules
from powerdesk.risk.models import CustomerRisk, OrderRisk
from powerdesk.sla import rules as sla_rules
from powerdesk.sla.models import Clock
from powerdesk.sla.selectors import order_clock_standing
from powerdesk.workorders.choices import OPEN_STATUSES, BusinessType
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import Contact, WorkOrder
from powerdesk.workorders.selectors import order_rows_since

ALERT_EVENT = "risk_alert"
ALERT_TEMPLATE = "risk_alert"
# The texts a score reads: the order's description and its latest contacts' summaries.
RECENT_CONTACTS = 20


def earlier_complaints(customer: Customer, *, at: dt.datetime, days: int, exclude: int | None = None) -> int:
    """The customer's complaint orders (business type 投诉) accepted within ``days`` before ``at``."""
    counts = customer_counts(customer, at=at, complaint_days=days, outage_days=0, order_id=exclude)
    return counts.complaints if exclude is None else counts.other_complaints


class CustomerCounts(NamedTuple):
    complaints: int  # the customer's complaint orders within the policy's days (the order scored included)
    other_complaints: int  # … other than the order being scored
    outages: int  # their interruptions begun within the policy's days or still going on


def customer_counts(
    customer: Customer, *, at: dt.datetime, complaint_days: int, outage_days: int, order_id: int | None
) -> CustomerCounts:
    """What the scores read of the customer's history, in one statement: the customer's score counts the
    order being scored, the order's own score does not."""
    row = _CUSTOMER_COUNTS.one(
        company=customer.company_id,
        customer=customer.pk,
        since=at - dt.timedelta(days=complaint_days),
        order=order_id or 0,
        outages_since=at - dt.timedelta(days=outage_days),
    )
    total, this, outages = row or (0, 0, 0)
    return CustomerCounts(total, total - this, outages)


# The reads of every contact and transition, compiled once (sql.CompiledRead: the SQL is the ORM's).
def _customer_counts(
    *, company: int, customer: int, since: dt.datetime, order: int, outages_since: dt.datetime
) -> QuerySet[Any]:
    """One row: the customer's complaint orders since ``since``, those of them that are ``order``, and
    their interruptions begun since ``outages_since`` or still going on. The customer and their orders
    are read in the customer's company (on a database sharded by company, one node)."""
    complaints = (
        WorkOrder.objects.filter(
            company_id=OuterRef("company_id"),
            customer_id=OuterRef("pk"),
            business_type=BusinessType.COMPLAINT,
        )
        .filter(created_at__gte=since)
        .order_by()
        .values("customer_id")
    )
    interruptions = (
        Interruption.objects.filter(customer_id=OuterRef("pk"))
        .filter(Q(start__gte=outages_since) | Q(end__isnull=True))
        .order_by()
        .values("customer_id")
    )
    return (
        Customer.objects.filter(company_id=company, pk=customer)
        .annotate(
            total=Coalesce(Subquery(complaints.annotate(n=Count("pk")).values("n")), 0),
            this=Coalesce(Subquery(complaints.filter(pk=order).annotate(n=Count("pk")).values("n")), 0),
            outages=Coalesce(Subquery(interruptions.annotate(n=Count("pk")).values("n")), 0),
        )
        .values_list("total", "this", "outages")
    )


def _stored_scores(*, company: int, customer: int, order: int | None) -> QuerySet[Any]:
    return (
        OrderRisk.objects.filter(
            order__company_id=company, order__customer_id=customer, order__status__in=OPEN_STATUSES
        )
        .exclude(order_id=order)
        .values_list("score", "reasons")
    )


def _summaries(*, order: int, company: int, since: dt.datetime) -> QuerySet[Any]:
    # Bounded by the order's acceptance (workorders.selectors.order_rows_since): the contacts are
    # partitioned by month, and the months before it hold none of the order's.
    return (
        Contact.objects.filter(company_id=company, order_id=order, at__gte=since)
        .order_by("-at", "-id")
        .values_list("summary", flat=True)[:RECENT_CONTACTS]
    )


def _stored_row(*, order: int) -> QuerySet[Any]:
    return OrderRisk.objects.filter(order_id=order).values_list("alerted_at", "reasons")


_SAMPLE_TIME = dt.datetime(1901, 1, 1, tzinfo=dt.UTC)
_CUSTOMER_COUNTS = CompiledRead(
    _customer_counts,
    company=-9_300_003,
    customer=-9_300_001,
    since=_SAMPLE_TIME,
    order=-9_300_002,
    outages_since=_SAMPLE_TIME + dt.timedelta(days=1),
)
_STORED_SCORES = CompiledRead(_stored_scores, company=-9_300_003, customer=-9_300_001, order=-9_300_002)
_SUMMARIES = CompiledRead(_summaries, order=-9_300_002, company=-9_300_003, since=_SAMPLE_TIME)
_STORED_ROW = CompiledRead(_stored_row, order=-9_300_002)


def order_inputs(
    order: WorkOrder,
    *,
    at: dt.datetime,
    texts: Sequence[str] = (),
    counts: CustomerCounts | None = None,
    opened: bool = False,
    emotion: str = "",
    clocks: Sequence[Clock] | None = None,
) -> rules.RiskInputs:
    """What the score of ``order`` depends on, read as it stands (the order as given, unsaved changes
    included; its clocks, contacts and the customer's history from the database), and ``texts``: what
    the caller said in a contact not written yet. ``counts``: the customer's history, when the caller has
    read it; ``opened``: the order is being opened by this contact, so it has no earlier contact to read;
    ``clocks``: its clocks, when the caller holds them."""
    customer = order.customer
    if counts is None and customer is not None:
        counts = _counts(customer, at=at, order_id=order.pk)
    standing = order_clock_standing(order.pk, company_id=order.company_id, at=at, clocks=clocks)
    summaries = (
        []
        if opened
        else _SUMMARIES.rows(order=order.pk, company=order.company_id, since=order_rows_since(order))
    )
    return rules.RiskInputs(
        contacts=order.contact_count,
        chases=order.chase_count,
        breached=standing.breached if standing else 0,
        near_breach=standing.near_breach if standing else 0,
        sensitive=bool(customer and customer.is_sensitive),
        earlier_complaints=counts.other_complaints if counts else 0,
        recent_outages=counts.outages if counts else 0,
        texts=(order.description, *summaries, *texts),
        emotion=emotion,
    )


def _counts(customer: Customer, *, at: dt.datetime, order_id: int | None) -> CustomerCounts:
    """:func:`customer_counts` over the days the policy says."""
    policy = reference.policy()
    return customer_counts(
        customer,
        at=at,
        complaint_days=policy.complaint_days if policy is not None else 365,
        outage_days=policy.outage_days if policy is not None else 7,
        order_id=order_id,
    )


def order_risk_refresh(
    *,
    order: WorkOrder,
    actor: User | None,
    at: dt.datetime | None = None,
    texts: Sequence[str] = (),
    event_data: dict[str, Any] | None = None,
    opened: bool = False,
    emotion: str | None = None,
    clocks: Sequence[Clock] | None = None,
) -> OrderRisk | None:
    """Score ``order`` again and store it; its customer's score follows. A closed order leaves the list
    (its row is removed). Reaching the threshold the first time tells the unit head (one notification,
    deduplicated by the order); the alert is recorded in ``event_data`` (the data of the event the caller
    is about to write: the transition's, the contact's) or, without one, in a 投诉风险预警 event of its
    own. ``opened``: the contact opens the order (no stored score, no earlier contact); ``clocks``: its
    clocks as just written (not read back). Returns the order's row, or None.

    Every contact and transition comes here, the intake's included, so the reads are few: the
    customer's complaints counted once for both scores, and an order scoring nothing with no row
    stored writes nothing (its customer's score cannot change: a score of nothing means no flag and no
    complaint of theirs)."""
    at = at or clock.now()
    customer = order.customer
    if order.status not in OPEN_STATUSES:
        OrderRisk.objects.filter(order_id=order.pk).delete()
        if customer is not None:
            customer_risk_refresh(customer=customer, at=at)
        return None
    policy = reference.policy()
    counts = _counts(customer, at=at, order_id=order.pk) if customer else None
    stored = None if opened else _STORED_ROW.one(order=order.pk)
    if emotion is None:
        # no suggestion came with this change: the caller's emotion as the stored score last counted it
        emotion = rules.emotion_of(stored[1]) if stored is not None else ""
    inputs = order_inputs(
        order, at=at, texts=texts, counts=counts, opened=opened, emotion=emotion, clocks=clocks
    )
    result = rules.risk_score(inputs, factors=reference.factors(), terms=reference.terms())
    if stored is None and result.score == 0:
        return None
    alerted_at = stored[0] if stored is not None else None
    threshold = policy.threshold if policy is not None else 0
    alert = rules.alert_due(score=result.score, threshold=threshold, alerted=alerted_at is not None)
    if alert:
        alerted_at = at
    row = OrderRisk(
        order_id=order.pk,
        score=result.score,
        reasons=result.reasons_data(),
        computed_at=at,
        alerted_at=alerted_at,
    )
    # New or stored, one statement (the row is locked with its order by the caller's transaction).
    bulk.insert_rows(
        OrderRisk,
        [{f: getattr(row, f) for f in ("order_id", "score", "reasons", "computed_at", "alerted_at")}],
        conflict_target=["order_id"],
        update=["score", "reasons", "computed_at", "alerted_at"],
    )
    mark_saved(row)
    if alert:
        data = _alert(order=order, result=result, threshold=threshold)
        if event_data is not None:
            event_data[ALERT_EVENT] = data
        else:
            event_write(
                order=order,
                kind=ALERT_EVENT,
                actor=actor,
                from_status=order.status,
                to_status=order.status,
                data={ALERT_EVENT: data},
                at=at,
            )
    if customer is not None:
        customer_risk_refresh(
            customer=customer,
            at=at,
            current=(order.pk, result),
            complaints=counts.complaints if counts else 0,
        )
    return row


def open_orders_rescore(*, at: dt.datetime | None = None) -> int:
    """Score every open order again at ``at`` (clocks run on between contacts and transitions): the
    demo does it once its history is replayed. Each order is locked in its own transaction, as a
    transition locks it. Returns how many were scored."""
    at = at or clock.now()
    ids = list(WorkOrder.objects.filter(status__in=OPEN_STATUSES).order_by("id").values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            order = (
                WorkOrder.objects.select_for_update(of=("self",))
                .select_related("customer", "unit")
                .get(pk=pk)
            )
            order_risk_refresh(order=order, actor=None, at=at)
    return len(ids)


def customer_risk_refresh(
    *,
    customer: Customer,
    at: dt.datetime,
    current: tuple[int, rules.RiskResult] | None = None,
    complaints: int | None = None,
) -> CustomerRisk:
    """Score ``customer`` again: their riskiest open order (``current`` is the order being re-scored,
    whose new status may not be saved yet) or their own flag and complaints (``complaints`` when the
    caller counted them), whichever is higher. One statement writes it, new or not."""
    if complaints is None:
        policy = reference.policy()
        days = policy.complaint_days if policy is not None else 365
        complaints = earlier_complaints(customer, at=at, days=days)
    stored = _STORED_SCORES.rows(
        company=customer.company_id, customer=customer.pk, order=current[0] if current is not None else 0
    )
    orders = [rules.result_from_data(score, reasons) for score, reasons in stored]
    if current is not None:
        orders.append(current[1])
    result = rules.customer_score(
        sensitive=customer.is_sensitive,
        earlier_complaints=complaints,
        orders=orders,
        factors=reference.factors(),
    )
    row = CustomerRisk(customer=customer, score=result.score, reasons=result.reasons_data(), computed_at=at)
    bulk.insert_rows(
        CustomerRisk,
        [{"customer_id": customer.pk, "score": row.score, "reasons": row.reasons, "computed_at": at}],
        conflict_target=["customer_id"],
        update=["score", "reasons", "computed_at"],
    )
    return row


def unit_head(unit: Unit) -> User | None:
    """Who is told of ``unit``'s at-risk orders: its head, else the nearest head above it. The chain is
    read from the unit's stored path (the order's unit may be a partial instance, as the repeat-call
    path loads it)."""
    path = Unit.objects.filter(pk=unit.pk).values_list("path", flat=True).first() or f"/{unit.pk}/"
    chain = [int(part) for part in reversed(path.strip("/").split("/")) if part]  # nearest first
    heads = dict(
        UnitHead.objects.filter(unit_id__in=chain, user__is_active=True).values_list("unit_id", "user_id")
    )
    for unit_id in chain:
        if unit_id in heads:
            return User.objects.get(pk=heads[unit_id])
    return None


def _alert(*, order: WorkOrder, result: rules.RiskResult, threshold: int) -> dict[str, Any]:
    """Tell the unit head (queued in the caller's transaction, at most once per order); what to record."""
    head = unit_head(order.unit)
    channel = sla_rules.channel(head.phone, head.email) if head is not None else None
    notified = False
    if head is not None and channel is not None:
        notified = (
            notification_enqueue(
                channel=channel[0],
                recipient_address=channel[1],
                recipient_user=head,
                order=order,
                template_code=ALERT_TEMPLATE,
                dedupe_key=f"risk:{order.pk}",
                context={
                    "order_number": order.number,
                    "score": result.score,
                    "threshold": threshold,
                    "unit": order.unit.name,
                    "recipient": head.display_name,
                    "business_type": order.get_business_type_display(),
                },
            )
            is not None
        )
    return {
        "score": result.score,
        "threshold": threshold,
        "reasons": result.reasons_data(),
        "head": head.username if head is not None else None,
        "notified": notified,
    }
