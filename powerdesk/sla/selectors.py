"""Reads of clocks: the clock list, the about-to-breach queue, on-time rates, calendar warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Count, Q, QuerySet

from powerdesk.core import clock as clock_mod
from powerdesk.core import workdays
from powerdesk.core.sql import CompiledRead
from powerdesk.org.models import User
from powerdesk.org.selectors import user_company_id, visible_units_filter
from powerdesk.sla import rules, services
from powerdesk.sla.models import Clock, ClockKind, ClockState
from powerdesk.workorders.models import WorkOrder

PERIODS = {"today": 0, "7d": 7, "30d": 30}


def clock_visible(user: User) -> QuerySet[Clock]:
    qs = Clock.objects.select_related("order", "order__unit", "policy")
    visible = visible_units_filter(user, "order__unit_id")
    if visible is not None:
        # a subtree lies in one company: the clocks carry it (docs/scaling.md)
        qs = qs.filter(visible, company_id=user_company_id(user) or 0)
    return qs


def clock_list(
    *,
    user: User,
    state: str = "",
    kind: str = "",
    due_before: dt.datetime | None = None,
    unit: int | None = None,
    order: str = "",
) -> QuerySet[Clock]:
    qs = clock_visible(user)
    if order:
        qs = qs.filter(order__number=order)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if due_before:
        qs = qs.filter(due_at__lt=due_before)
    if unit:
        qs = qs.filter(order__unit_id=unit)
    return qs.order_by("due_at", "id")


def order_clocks(order: WorkOrder) -> list[Clock]:
    """Every clock of the order, soonest due first (the order page's panels, the customer portal)."""
    clocks = order.clocks.filter(company_id=order.company_id)  # the clocks' key beside the order's id
    return list(clocks.select_related("policy").order_by("due_at", "id"))


def next_clock(clocks: Sequence[Clock]) -> Clock | None:
    """The clock whose countdown the page header shows: the one behind ``order.due_at`` (the earliest
    running or breached one), else a paused one (a suspended order has no due time while paused)."""
    for states in ((ClockState.RUNNING, ClockState.BREACHED), (ClockState.PAUSED,)):
        found = next((c for c in clocks if c.state in states), None)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class ClockStanding:
    """How an order's clocks stand at one moment (for the early warning)."""

    breached: int = 0  # clocks whose deadline passed (recorded by the sweep, or running past it)
    near_breach: int = 0  # running clocks past their warning point, deadline not yet passed


class _StandingTimes(NamedTuple):
    order_id: int
    policy_id: int
    state: str
    breached_at: dt.datetime | None
    due_at: dt.datetime
    started_at: dt.datetime
    allowed_seconds: int
    paused_seconds: int


def _clocks_for_standing(*, company: int, order: int) -> QuerySet[Clock]:
    return (
        Clock.objects.filter(company_id=company, order_id=order)
        .exclude(state=ClockState.CANCELLED)
        .values_list(*_StandingTimes._fields)  # type: ignore[return-value]
    )


# Read on every contact and transition: compiled once (sql.CompiledRead), the SQL is the ORM's.
_ORDER_CLOCKS = CompiledRead(_clocks_for_standing, company=-9_200_002, order=-9_200_001)


def order_clock_standing(
    order_id: int, *, company_id: int, at: dt.datetime, clocks: Sequence[Clock] | None = None
) -> ClockStanding | None:
    """How many of the order's clocks are breached and how many are near breach at ``at`` (None: no
    such clock): computed from the clocks' times and the policy's warning ratio (``rules.warn_time``), so
    it does not wait for the sweep to have passed. The early warning's read on every contact and
    transition; the policies come from the cache. ``clocks``: the order's clocks as the caller holds
    them (those just planned at intake), instead of reading them."""
    rows: Iterable[Any] = (
        (c for c in clocks if c.state != ClockState.CANCELLED)
        if clocks is not None
        else map(_StandingTimes._make, _ORDER_CLOCKS.rows(company=company_id, order=order_id))
    )
    return _standing(rows, at=at).get(order_id)


def _standing(clocks: Iterable[Any], *, at: dt.datetime) -> dict[int, ClockStanding]:
    counts: dict[int, list[int]] = {}
    for clock in clocks:
        key = clock.order_id
        if clock.breached_at is not None or clock.state == ClockState.BREACHED:
            counts.setdefault(key, [0, 0])[0] += 1
        elif clock.state == ClockState.RUNNING:
            policy = services.policy_by_id(clock.policy_id)
            if clock.due_at <= at:
                counts.setdefault(key, [0, 0])[0] += 1
            elif policy is not None and rules.warn_time(clock, policy.warn_ratio) <= at:
                counts.setdefault(key, [0, 0])[1] += 1
    return {pk: ClockStanding(breached=b, near_breach=n) for pk, (b, n) in counts.items()}


def about_to_breach(*, user: User, unit: int | None = None) -> QuerySet[Clock]:
    """Running clocks past their warning point (the sweep has warned) and not yet breached."""
    qs = clock_visible(user).filter(state=ClockState.RUNNING, level__gte=1, breached_at__isnull=True)
    if unit:
        qs = qs.filter(order__unit_id=unit)
    return qs.order_by("due_at")


@dataclass
class Rate:
    key: str
    label: str
    decided: int
    on_time: int
    running: int

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.on_time / self.decided, 1) if self.decided else None


def period_start(period: str) -> dt.datetime:
    today = clock_mod.local_date()
    start = today - dt.timedelta(days=PERIODS.get(period, 7))
    return dt.datetime.combine(start, dt.time.min, tzinfo=clock_mod.BUSINESS_TZ)


# The on-time rate's terms, for every count of it (this page, the quality view): a clock is decided once
# it was met or breached, and on time when it was met without breaching.
CLOCK_DECIDED = Q(state=ClockState.MET) | Q(breached_at__isnull=False)
CLOCK_ON_TIME = Q(state=ClockState.MET, breached_at__isnull=True)


def on_time_rates(*, user: User, period: str = "7d", by: str = "kind") -> list[Rate]:
    """On-time rate of the clocks that fell due in the period: met before the deadline ÷ met or breached.

    ``by`` is ``kind`` (per clock kind) or ``unit`` (per handling unit).
    """
    since = period_start(period)
    now = clock_mod.now()
    qs = clock_visible(user).filter(due_at__gte=since, due_at__lt=now + dt.timedelta(days=366))
    qs = qs.exclude(state=ClockState.CANCELLED)
    field = "kind" if by == "kind" else "order__unit__name"
    rows = (
        qs.values(field)
        .annotate(
            decided=Count("id", filter=CLOCK_DECIDED),
            on_time=Count("id", filter=CLOCK_ON_TIME),
            running=Count(
                "id", filter=Q(state__in=[ClockState.RUNNING, ClockState.PAUSED], breached_at__isnull=True)
            ),
        )
        .order_by(field)
    )
    labels = dict(ClockKind.choices)
    return [
        Rate(
            key=r[field],
            label=str(labels.get(r[field], r[field])) if by == "kind" else r[field],
            decided=r["decided"],
            on_time=r["on_time"],
            running=r["running"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class CalendarWarning:
    year: int
    status: str  # "derived" (statutory holidays by the rule, no bridging days) or "missing" (Mon–Fri)


def calendar_warnings() -> list[CalendarWarning]:
    """This year and the next, when not imported: derived from the holiday rule (its bridging days not
    known yet), or missing (working days fall back to Monday–Friday)."""
    year = clock_mod.local_date().year
    statuses = workdays.year_statuses([year, year + 1])
    return [CalendarWarning(y, status) for y, status in statuses.items() if status != workdays.IMPORTED]
