"""Reads of the reliability view: who may see it, the interruption records of a scope and period (read in
bulk, grouped and counted in SQL, nothing more), the user counts, and the report that ``rules`` computes.

What is read:

* the outages app's ``Interruption`` rows of confirmed outages, restored (start and end known), begun in
  the period (Asia/Shanghai days);
* the scope: a unit's subtree by the customer's 供电台区 (``Customer.area``), and / or a feeder by the
  customer's supply (``customers.CustomerSupply``) below it in the tree as it is now. The interruption
  record itself never changes after it is written; the scope it is counted in follows the current data;
* the users: low voltage, every customer (meter) in the scope; 10 kV, every public transformer in the
  scope (its 台区 in the unit, the transformer below the feeder) and every customer whose primary supply
  hangs under a dedicated transformer (专变). A 10 kV user is interrupted when its customers are (the
  transformer of a customer is the parent of its primary supply's meter point).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Case, Count, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import NotPermitted
from powerdesk.customers.models import Customer, CustomerSupply
from powerdesk.grid.models import Device, DeviceKind, Ownership
from powerdesk.org.models import Unit, User
from powerdesk.org.selectors import user_may, user_sees_all
from powerdesk.outages.models import Interruption, OutageState
from powerdesk.reliability import rules
from powerdesk.reliability.models import ReliabilitySettings


def user_sees_reliability(user: User) -> bool:
    """Service management (roles that see every unit) and the roles that may dispatch (each within its
    unit's subtree): role data, no flag of its own."""
    if not user.is_authenticated:
        return False
    return user_sees_all(user) or (user_may(user, "dispatch") and bool(user.unit_id))


def reliability_allowed(user: User) -> None:
    if not user_sees_reliability(user):
        raise NotPermitted(_("供电可靠性指标仅供服务管理人员和调度人员查看。"))


def current_settings() -> ReliabilitySettings:
    """The settings row (seeded by migration 0002); the model's defaults if it was deleted."""
    return ReliabilitySettings.objects.order_by("pk").first() or ReliabilitySettings()


@dataclass(frozen=True)
class Scope:
    unit: Unit | None  # None: every unit
    feeder: Device | None


def scope_for(user: User, *, unit: Unit | None, feeder: Device | None) -> Scope:
    """The chosen unit, or the user's own unit when the user does not see every unit."""
    if unit is None and not user_sees_all(user):
        unit = user.unit
    return Scope(unit=unit, feeder=feeder)


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=clock.BUSINESS_TZ)

    return start(first), start(last + dt.timedelta(days=1))


def _customers_below(feeder: Device) -> QuerySet[CustomerSupply]:
    return CustomerSupply.objects.filter(meter_point__path__startswith=feeder.path)


def _records(scope: Scope, first: dt.date, last: dt.date) -> QuerySet[Interruption]:
    start, end = _bounds(first, last)
    qs = Interruption.objects.filter(
        outage__state=OutageState.CONFIRMED,
        start__gte=start,
        start__lt=end,
        end__isnull=False,
    )
    if scope.unit is not None:
        qs = qs.filter(customer__area__path__startswith=scope.unit.path)
    if scope.feeder is not None:
        qs = qs.filter(customer_id__in=_customers_below(scope.feeder).values("customer_id"))
    return qs


def _day() -> TruncDate:
    return TruncDate("start", tzinfo=clock.BUSINESS_TZ)


def lv_interruptions(scope: Scope, first: dt.date, last: dt.date) -> list[rules.Interruption]:
    """The customers' interruptions, counted per outage and (start, end): one row per restoration step."""
    rows: Iterable[Any] = (
        _records(scope, first, last)
        .annotate(day=_day())
        .values("outage_id", "outage__kind", "outage__cause", "day", "start", "end")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        rules.Interruption(
            r["outage_id"], r["outage__kind"], r["outage__cause"], r["day"], r["start"], r["end"], r["n"]
        )
        for r in rows
    ]


def mv_interruptions(scope: Scope, first: dt.date, last: dt.date) -> list[rules.Interruption]:
    """The 10 kV users' interruptions: the customers' records grouped by their transformer (a dedicated
    one: by the customer), then one per user and outage (``rules.per_user``)."""
    supply = CustomerSupply.objects.filter(customer_id=OuterRef("customer_id")).order_by("-is_primary", "id")
    rows: Iterable[Any] = (
        _records(scope, first, last)
        .annotate(
            day=_day(),
            transformer=Subquery(supply.values("meter_point__parent_id")[:1]),
            ownership=Subquery(supply.values("meter_point__parent__ownership")[:1]),
        )
        .filter(transformer__isnull=False)
        .annotate(
            dedicated=Case(
                When(ownership=Ownership.DEDICATED, then=F("customer_id")),
                default=Value(None),
                output_field=BigIntegerField(),
            )
        )
        .values(
            "outage_id", "outage__kind", "outage__cause", "day", "start", "end", "transformer", "dedicated"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    return rules.per_user(
        rules.UserInterruption(
            r["outage_id"],
            rules.mv_user(r["transformer"], r["dedicated"]),
            r["outage__kind"],
            r["outage__cause"],
            r["day"],
            r["start"],
            r["end"],
        )
        for r in rows
    )


def _customers(scope: Scope) -> QuerySet[Customer]:
    qs = Customer.objects.all()
    if scope.unit is not None:
        qs = qs.filter(area__path__startswith=scope.unit.path)
    if scope.feeder is not None:
        qs = qs.filter(pk__in=_customers_below(scope.feeder).values("customer_id"))
    return qs


def lv_users(scope: Scope) -> int:
    return _customers(scope).count()


def mv_users(scope: Scope) -> int:
    """Public transformers in the scope plus customers whose primary supply is under a 专变."""
    public = Device.objects.filter(kind=DeviceKind.TRANSFORMER, ownership=Ownership.PUBLIC)
    if scope.unit is not None:
        public = public.filter(area__path__startswith=scope.unit.path)
    if scope.feeder is not None:
        public = public.filter(path__startswith=scope.feeder.path)
    primary = CustomerSupply.objects.filter(customer_id=OuterRef("pk")).order_by("-is_primary", "id")
    dedicated = (
        _customers(scope)
        .annotate(ownership=Subquery(primary.values("meter_point__parent__ownership")[:1]))
        .filter(ownership=Ownership.DEDICATED)
    )
    return public.count() + dedicated.count()


@dataclass(frozen=True)
class MonthRow:
    first: dt.date
    last: dt.date
    dlt: rules.Dlt836
    ieee: rules.Ieee1366


@dataclass(frozen=True)
class Report:
    first: dt.date
    last: dt.date
    scope: Scope
    user_unit: str
    settings: ReliabilitySettings
    dlt: rules.Dlt836
    ieee: rules.Ieee1366
    med: rules.MedThreshold
    history_first: dt.date
    months: list[MonthRow]


def _figures(
    items: Iterable[rules.Interruption],
    lv_items: Iterable[rules.Interruption],
    *,
    first: dt.date,
    last: dt.date,
    users: int,
    customers: int,
    user_unit: str,
    settings: ReliabilitySettings,
    meds: Iterable[dt.date],
) -> tuple[rules.Dlt836, rules.Ieee1366]:
    hours = rules.period_hours(first, last)
    dlt = rules.dlt836(
        rules.within(items, first, last),
        users=users,
        period_hours=hours,
        cutoff_seconds=settings.dlt_cutoff_seconds,
        user_unit=user_unit,
    )
    ieee = rules.ieee1366(
        rules.within(lv_items, first, last),
        customers=customers,
        period_hours=hours,
        cutoff_seconds=settings.ieee_cutoff_seconds,
        major_event_days=[d for d in meds if first <= d <= last],
    )
    return dlt, ieee


def reliability_report(
    *,
    user: User,
    first: dt.date,
    last: dt.date,
    unit: Unit | None = None,
    feeder: Device | None = None,
    user_unit: str = rules.LV,
) -> Report:
    """Both standards' figures for the period and for each of its months, in the user's scope. A fixed
    number of queries whatever the period: the records of the period and of the MED history, the counts."""
    reliability_allowed(user)
    scope = scope_for(user, unit=unit, feeder=feeder)
    return reliability_figures(scope=scope, first=first, last=last, user_unit=user_unit)


def reliability_figures(*, scope: Scope, first: dt.date, last: dt.date, user_unit: str = rules.LV) -> Report:
    """The report of :func:`reliability_report` for a scope the caller has already decided (the service
    quality dashboards show them to their own readers, within the units those see)."""
    settings = current_settings()
    lv_items = lv_interruptions(scope, first, last)
    customers = lv_users(scope)
    if user_unit == rules.MV:
        items, users = mv_interruptions(scope, first, last), mv_users(scope)
    else:
        items, users = lv_items, customers
    history_first = rules.years_before(first, settings.med_history_years)
    history = lv_interruptions(scope, history_first, first - dt.timedelta(days=1))
    multiplier = float(Decimal(settings.med_beta_multiplier))
    cutoff = settings.ieee_cutoff_seconds
    med = rules.med_threshold(
        rules.daily_saidi(history, customers=customers, cutoff_seconds=cutoff).values(), multiplier
    )
    meds = rules.major_event_days(
        rules.daily_saidi(lv_items, customers=customers, cutoff_seconds=cutoff), med.value
    )
    common: dict[str, Any] = {
        "users": users,
        "customers": customers,
        "user_unit": user_unit,
        "settings": settings,
        "meds": meds,
    }
    dlt, ieee = _figures(items, lv_items, first=first, last=last, **common)
    months = [
        MonthRow(a, b, *_figures(items, lv_items, first=a, last=b, **common))
        for a, b in rules.months(first, last)
    ]
    return Report(
        first=first,
        last=last,
        scope=scope,
        user_unit=user_unit,
        settings=settings,
        dlt=dlt,
        ieee=ieee,
        med=med,
        history_first=history_first,
        months=months,
    )
