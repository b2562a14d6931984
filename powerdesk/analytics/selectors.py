"""Reads of the service quality view: who may see it, the period, and the table of figures per staff
member or unit (:mod:`powerdesk.analytics.measures` computes each figure)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from powerdesk.analytics import measures
from powerdesk.analytics.measures import MEASURES, Measure, Period, Scope
from powerdesk.core import clock, refcache
from powerdesk.core.errors import NotPermitted
from powerdesk.org.models import RoleScope, Unit, UnitHead, User

UNIT_HEADS_KEY = "analytics:unit_head_users"


def _unit_head_users() -> frozenset[int]:
    return frozenset(UnitHead.objects.values_list("user_id", flat=True))


def user_sees_quality(user: User) -> bool:
    """Who sees the quality view: the roles that oversee every unit (role scope 全部: service management,
    administrators, auditors) and the heads of units (``org.UnitHead``), each within the units they may
    see. Decided from role and unit-head data, no flag of its own; the heads are cached reference data
    (``core.refcache``), so the navigation asks no query for it on every page."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    role = getattr(user, "role", None)
    if role is not None and role.scope == RoleScope.ALL:
        return True
    return user.pk in refcache.get(UNIT_HEADS_KEY, _unit_head_users)


def quality_allowed(user: User) -> None:
    if not user_sees_quality(user):
        raise NotPermitted(_("服务质量统计仅供服务管理人员和单位负责人查看。"))


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def default_days() -> tuple[dt.date, dt.date]:
    """This month, in business time."""
    return month_bounds(clock.local_date())


def period_of(first: dt.date, last: dt.date) -> Period:
    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=clock.BUSINESS_TZ)

    return Period(first=first, last=last, start=start(first), end=start(last + dt.timedelta(days=1)))


@dataclass
class Row:
    key: int | None
    name: str
    unit: str
    unit_id: int | None
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass
class QualityTable:
    period: Period
    by: str
    unit: Unit | None
    kind: str
    measures: list[Measure]
    available: dict[str, bool]
    rows: list[Row]
    totals: Row


def quality_table(
    *, user: User, first: dt.date, last: dt.date, by: str, unit: Unit | None, kind: str
) -> QualityTable:
    """The figures of every measure per staff member (``by="staff"``) or unit, in the user's scope,
    plus the totals (which include what no one is named for). A fixed number of queries: one per
    measure and one for the names."""
    quality_allowed(user)
    period = period_of(first, last)
    results = measures.compute(period=period, scope=Scope(user, unit), by=by, kind=kind)
    keys = sorted({k for r in results.values() for k in r.values if k is not None})
    rows = _named_rows(by, keys)
    for row in rows:
        for code, result in results.items():
            # A source without data: None ("no data"), not 0. With data, a row it does not name counts
            # none (0) but has no rate or mean to show (None).
            nothing = 0 if MEASURES[code].kind == "count" else None
            row.figures[code] = result.values.get(row.key, nothing) if result.available else None
    totals = Row(key=None, name=_("合计"), unit="", unit_id=None)
    for code, result in results.items():
        kind_of = MEASURES[code].kind
        totals.figures[code] = (
            measures.total(kind_of, list(result.values.values())) if result.available else None
        )
    return QualityTable(
        period=period,
        by=by,
        unit=unit,
        kind=kind,
        measures=list(MEASURES.values()),
        available={code: r.available for code, r in results.items()},
        rows=rows,
        totals=totals,
    )


def _named_rows(by: str, keys: list[int]) -> list[Row]:
    if by == "unit":
        units = Unit.objects.filter(pk__in=keys).select_related("parent").order_by("path")
        return [
            Row(key=u.pk, name=u.name, unit=u.parent.name if u.parent else "", unit_id=u.pk) for u in units
        ]
    users = (
        User.objects.filter(pk__in=keys)
        .select_related("unit")
        .order_by("unit__path", "full_name", "username")
    )
    return [
        Row(
            key=u.pk,
            name=u.display_name,
            unit=u.unit.name if u.unit else "",
            unit_id=u.unit_id,
        )
        for u in users
    ]
