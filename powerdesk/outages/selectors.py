"""Reads: the outages and known events on a customer's supply path (intake, the customer page), the
outages marked on the tree, address placement of a caller who is not a known customer, the notice rules,
and how the notices a customer was owed stand (for the complaint checklist, the one reading of them).

The intake reads are built to cost the intake no statement of its own beyond the one it had: the
customer's open outage and supply paths come in ONE compiled read (:func:`intake_lookup`), and the known
events in force are a per-process cache (:func:`known_events_in_force`, ``core.refcache``: a minute at
most, cleared in this process when an event is registered or closed) matched against the paths in
Python."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import format_html_join

from powerdesk.core import clock, refcache
from powerdesk.core.pagination import deferred_join
from powerdesk.core.sql import CompiledRead
from powerdesk.customers.models import Customer, CustomerSupply
from powerdesk.customers.selectors import text_contains
from powerdesk.customers.supply import devices_above
from powerdesk.grid.rules import path_ids
from powerdesk.notify.models import Notification
from powerdesk.outages import rules
from powerdesk.outages.models import (
    CLOSED_STATES,
    Interruption,
    KnownEvent,
    NoticeRule,
    Outage,
    OutageDevice,
    OutageNotice,
    OutageState,
)
from powerdesk.workorders.choices import BusinessType, Status
from powerdesk.workorders.models import WorkOrder

# An open repair order is one not in these states (the order a linked caller had already opened).
OPEN_REPAIR_CLOSED = (Status.RESOLVED, Status.REPLIED, Status.CALLED_BACK, Status.ARCHIVED, Status.MERGED)

# How many candidates address placement offers (the agent picks one; the API answers them).
PLACEMENT_LIMIT = 5


def active_outages() -> QuerySet[Outage]:
    return Outage.objects.filter(actual_end__isnull=True).exclude(state__in=CLOSED_STATES)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.BUSINESS_TZ)


def outages_selected(
    outages: QuerySet[Outage],
    *,
    unit: Any = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    state: str = "",
    notice_late: bool = False,
) -> QuerySet[Outage]:
    """The outage list's filters, one definition for the list, its export and the dashboards' counts
    that link to it: the responsible unit's subtree, the start (actual, else planned) within the days
    ``first``–``last`` in Asia/Shanghai, the state, and whether a notice was late or is missing (the
    ``notice_flagged`` the notice sweep keeps, ``services.notices_flag``)."""
    if unit is not None:
        outages = outages.filter(unit__path__startswith=unit.path)
    if first is not None or last is not None:
        outages = outages.annotate(started=Coalesce("actual_start", "planned_start"))
        if first is not None:
            outages = outages.filter(started__gte=_day_start(first))
        if last is not None:
            outages = outages.filter(started__lt=_day_start(last + dt.timedelta(days=1)))
    if state:
        outages = outages.filter(state=state)
    if notice_late:
        outages = outages.filter(notice_flagged=True)
    return outages


def _open_interruptions(*, customer: int) -> QuerySet[Any]:
    return Interruption.objects.filter(customer_id=customer, end__isnull=True).values_list(
        "outage_id", flat=True
    )


# Asked on every fault call, and nearly always answered "none": compiled once (sql.CompiledRead).
_OPEN_INTERRUPTIONS = CompiledRead(_open_interruptions, customer=-9_400_001)


def outages_for_customer(customer: Customer) -> list[Outage]:
    """Active outages the customer is out in (their interruption is open), most certain first."""
    ids = _OPEN_INTERRUPTIONS.rows(customer=customer.pk)
    if not ids:
        return []
    outages = list(active_outages().filter(pk__in=ids).select_related("known_event", "order"))
    order: dict[str, int] = {OutageState.CONFIRMED: 0, OutageState.PROBABLE: 1, OutageState.PREDICTED: 2}
    return sorted(outages, key=lambda o: (order.get(o.state, 3), -o.pk))


def known_events_for_customer(customer: Customer) -> list[KnownEvent]:
    """Known events (报备) in force whose area covers a device on the customer's supply path."""
    now = clock.now()
    above = devices_above(customer).values("pk")
    return list(
        KnownEvent.objects.filter(devices__in=above, starts_at__lte=now)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .distinct()
    )


def place_by_address(
    address: str, *, company_id: int | None = None, limit: int = PLACEMENT_LIMIT
) -> list[Customer]:
    """Customers whose address contains what the caller said (spaces ignored), closest lengths first:
    the agent confirms one; nothing is linked on a guess. The intake looks in the company taking the
    call (``company_id``); None looks in every company."""
    needle = "".join((address or "").split())
    if len(needle) < 3:  # two characters match half the county
        return []
    qs = Customer.objects.filter(text_contains("address", needle))
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    # The keys planned for this fragment (unprepared, core.pagination.deferred_join) and unsorted: a
    # generic plan, or an ORDER BY with the limit, walks every customer through another index where the
    # trigram index finds the few that match.
    rows = deferred_join(qs.order_by().select_related("area"), slice(0, limit * 4))
    return sorted(rows, key=lambda c: (len(c.address) - len(needle), c.pk))[:limit]


def outage_marks(devices: Sequence[Any]) -> dict[int, str]:
    """For the tree page: each device an active outage is traced from, with the outage's state, marked
    so that a prediction (predicted, probable) reads apart from a confirmed outage (its own class)."""
    rows = OutageDevice.objects.filter(
        device_id__in=[d.pk for d in devices], restored_at__isnull=True, outage__actual_end__isnull=True
    ).exclude(outage__state__in=CLOSED_STATES)
    marks: dict[int, list[tuple[str, str]]] = {}
    for device_id, number, state, kind in rows.values_list(
        "device_id", "outage__number", "outage__state", "outage__kind"
    ):
        label = f"{Outage(kind=kind).get_kind_display()}·{Outage(state=state).get_state_display()} {number}"
        marks.setdefault(device_id, []).append((state, label))
    span = '<span class="outage-mark outage-mark-{}">{}</span>'
    return {device_id: format_html_join(" ", span, items) for device_id, items in marks.items()}


def notice_rules(kind: str) -> list[NoticeRule]:
    return list(NoticeRule.objects.filter(kind=kind, is_active=True))


def as_rules(rows: Iterable[NoticeRule]) -> list[rules.Rule]:
    return [
        rules.Rule(
            r.pk, r.audience, dt.timedelta(minutes=r.lead_minutes), dt.timedelta(minutes=r.repeat_minutes)
        )
        for r in rows
    ]


@dataclass(frozen=True)
class NoticeFinding:
    """How the notices one customer was owed for one outage stand, from the outage's records."""

    outage: Outage
    interruption: Interruption | None
    start: dt.datetime
    standing: rules.NoticeStanding


def outage_about(
    *, customer_id: int | None, at: dt.datetime, order_ids: Sequence[int], kinds: Sequence[str]
) -> Outage | None:
    """The outage (of one of ``kinds``) that a complaint about ``at`` is about: the outage of one of the
    related orders (its own order, or a caller's repair order a call on it noted), newest first; else
    the outage whose interruption of the customer covers ``at`` (begun by then, not yet ended then).
    Rejected outages (no outage after all) are never it."""
    outages = Outage.objects.filter(kind__in=kinds).exclude(state=OutageState.REJECTED)
    if order_ids:
        linked = (
            outages.filter(Q(order_id__in=order_ids) | Q(calls__open_order_id__in=order_ids))
            .order_by("-created_at", "-id")
            .first()
        )
        if linked is not None:
            return linked
    if customer_id is None:
        return None
    covering = (
        Interruption.objects.filter(customer_id=customer_id, outage__in=outages, start__lte=at)
        .filter(Q(end__isnull=True) | Q(end__gte=at))
        .select_related("outage")
        .order_by("-start", "-id")
        .first()
    )
    return covering.outage if covering is not None else None


def notice_finding(*, outage: Outage, customer: Customer, now: dt.datetime) -> NoticeFinding | None:
    """The customer's notices for ``outage``: what the rules of its kind owe them (their customer type
    as the interruption recorded it) from the interruption's start, against the ``OutageNotice`` rows'
    send times (a notice never sent, or whose sending failed, has none). None without a start time."""
    interruption = Interruption.objects.filter(outage=outage, customer=customer).first()
    start = (
        (interruption.start if interruption is not None else None)
        or outage.actual_start
        or outage.planned_start
    )
    if start is None:
        return None
    if interruption is not None:
        who = rules.Affected(customer.pk, interruption.customer_type, interruption.important)
    else:
        who = _affected(customer)
    sent = {
        (rule_id, repeat): sent_at
        for rule_id, repeat, sent_at in OutageNotice.objects.filter(
            outage=outage, customer=customer
        ).values_list("rule_id", "repeat", "sent_at")
    }
    standing = rules.notice_standing(
        start=start, rules=as_rules(notice_rules(outage.kind)), who=who, sent=sent, now=now
    )
    return NoticeFinding(outage=outage, interruption=interruption, start=start, standing=standing)


def notice_standing_on_facts(
    *,
    kind: str,
    customer: Customer | None,
    start: dt.datetime,
    first_sent: dt.datetime | None,
    repeat_sent: dt.datetime | None,
    now: dt.datetime,
) -> rules.NoticeStanding:
    """The same reading for a disconnection recorded elsewhere (an order's facts) without an outage
    row: the rules of ``kind`` against the first and the repeat notice's send times as recorded."""
    rows = notice_rules(kind)
    sent: dict[tuple[int, bool], dt.datetime | None] = {}
    for row in rows:
        sent[(row.pk, False)] = first_sent
        sent[(row.pk, True)] = repeat_sent
    who = _affected(customer) if customer is not None else rules.Affected(0, "", False)
    return rules.notice_standing(start=start, rules=as_rules(rows), who=who, sent=sent, now=now)


def _affected(customer: Customer) -> rules.Affected:
    return rules.Affected(
        customer.pk,
        customer.customer_type,
        rules.is_important(customer.customer_type, customer.is_life_support),
    )


def notices_with_receipts(outage: Outage, *, limit: int) -> list[OutageNotice]:
    """The outage's notices, each with the gateway's last receipt on its message (``receipt_at``,
    ``receipt_code``: when and with which status code it reported), read in one more query."""
    notices = list(outage.notices.select_related("customer", "rule")[:limit])
    receipts = {
        pk: (at, code)
        for pk, at, code in Notification.objects.filter(
            pk__in=[n.notification_id for n in notices if n.notification_id]
        ).values_list("pk", "delivery_at", "delivery_code")
    }
    for notice in notices:
        notice.receipt_at, notice.receipt_code = receipts.get(notice.notification_id or 0, (None, ""))  # type: ignore[attr-defined]
    return notices


@dataclass(frozen=True)
class EventInForce:
    """A known event as the intake matches it: its area as device ids (ids survive re-parenting)."""

    pk: int
    kind: str
    kind_label: str
    title: str
    script: str
    etr_override: dt.datetime | None
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    device_ids: frozenset[int]

    def in_force(self, now: dt.datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)

    def summary(self) -> dict[str, Any]:
        """What the agent and the API client are told of it."""
        return {
            "id": self.pk,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "title": self.title,
            "script": self.script,
            "etr": self.etr_override.isoformat() if self.etr_override else None,
        }


def _events_load() -> list[EventInForce]:
    now = clock.now()
    events = list(KnownEvent.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now)))
    areas: dict[int, set[int]] = {}
    for event_id, device_id in KnownEvent.devices.through.objects.filter(
        knownevent_id__in=[e.pk for e in events]
    ).values_list("knownevent_id", "device_id"):
        areas.setdefault(event_id, set()).add(device_id)
    return [
        EventInForce(
            e.pk,
            e.kind,
            str(e.get_kind_display()),
            e.title,
            e.script,
            e.etr_override,
            e.starts_at,
            e.ends_at,
            frozenset(areas.get(e.pk, ())),
        )
        for e in events
    ]


def known_events_in_force() -> list[EventInForce]:
    """Known events not over (those starting later included: ``in_force`` says when), cached."""
    return refcache.get("outages.known_events", _events_load)


def known_events_on_paths(paths: Iterable[str], *, now: dt.datetime | None = None) -> list[EventInForce]:
    """The known events in force whose area holds a device on one of these supply paths."""
    events = known_events_in_force()
    if not events:
        return []
    now = now or clock.now()
    above = {i for p in paths if p for i in path_ids(p)}
    return [e for e in events if e.in_force(now) and e.device_ids & above]


_CERTAINTY = Case(
    When(outage__state=OutageState.CONFIRMED, then=Value(0)),
    When(outage__state=OutageState.PROBABLE, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _intake_lookup(*, company: int, customer: int) -> QuerySet[Any]:
    active = (
        Interruption.objects.filter(
            customer_id=OuterRef("pk"), end__isnull=True, outage__actual_end__isnull=True
        )
        .exclude(outage__state__in=CLOSED_STATES)
        .annotate(certainty=_CERTAINTY)
        .order_by("certainty", "-outage_id")
    )
    paths = ArraySubquery(
        CustomerSupply.objects.filter(customer_id=OuterRef("pk")).values("meter_point__path")
    )
    # The caller's newest open repair order that is not an outage's own, which a linked call notes:
    # asked only when the caller is out in an outage (PostgreSQL evaluates a CASE's branch lazily).
    repair = (
        WorkOrder.objects.filter(
            company_id=OuterRef("company_id"), customer_id=OuterRef("pk"), business_type=BusinessType.REPAIR
        )
        .exclude(status__in=OPEN_REPAIR_CLOSED)
        .exclude(outage__isnull=False)
        .order_by("-created_at")
    )

    def when_out(value: Subquery) -> Case:
        return Case(When(outage_id__isnull=False, then=value), default=None)

    return (
        Customer.objects.filter(company_id=company, pk=customer)
        .annotate(outage_id=Subquery(active.values("outage_id")[:1]))
        .annotate(
            outage_order_id=when_out(Subquery(active.values("outage__order_id")[:1])),
            repair_id=when_out(Subquery(repair.values("pk")[:1])),
            repair_number=when_out(Subquery(repair.values("number")[:1])),
            paths=paths,
        )
        .values_list("outage_id", "outage_order_id", "repair_id", "repair_number", "paths")
    )


# Asked on every fault call of a known customer: compiled once (sql.CompiledRead), as the read it replaced.
_INTAKE_LOOKUP = CompiledRead(_intake_lookup, company=-9_400_003, customer=-9_400_002)


class IntakeLookup(NamedTuple):
    """What the intake needs to know of a fault caller, from one read."""

    outage_id: int | None  # the active outage the customer is out in (the most certain, the newest)
    outage_order_id: int | None  # that outage's one order, if it has one yet
    open_repair: tuple[int, str] | None  # (id, number) of the caller's newest open repair order, if out
    paths: list[str]  # the paths of the customer's supplies


def intake_lookup(customer: Customer, *, company_id: int) -> IntakeLookup:
    """In one read: the active outage the customer is out in (the most certain, then the newest; as
    :func:`outages_for_customer` orders them) with its order, the caller's open repair order when they
    are out, and the paths of the customer's supplies. The customer is looked up in ``company_id``, the
    company taking the call (on a database sharded by company, one node); a customer of another company
    has none."""
    rows = _INTAKE_LOOKUP.rows(company=company_id, customer=customer.pk)
    if not rows:
        return IntakeLookup(None, None, None, [])
    outage_id, order_id, repair_id, repair_number, paths = rows[0]
    repair = (repair_id, repair_number) if repair_id is not None else None
    return IntakeLookup(outage_id, order_id, repair, list(paths or []))
