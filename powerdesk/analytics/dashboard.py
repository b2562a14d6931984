"""The dashboards' figures, read from the rollups (never the orders): what the manager's and the unit
head's pages, the API and the monthly report call. The rollups are read through :func:`rollup`, on the
replica when one is configured (:mod:`powerdesk.analytics.reads`).

* :func:`dashboard_figures` — every KPI and every breakdown for a period, scope and filters;
* :func:`order_list_url` — the order list link that reproduces a number;
* :func:`selection`, :func:`span` and :class:`Filters` — which rollup rows a selection reads (the hot spots,
  :mod:`powerdesk.analytics.hot_spots`, read them too).

A KPI's formula is written once, in :data:`KPIS` (its label, the definition shown on the page, and the
rollup terms it divides); the terms are conditions on the fact row (:mod:`powerdesk.analytics.terms`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Model, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from powerdesk.analytics import reads, rules
from powerdesk.analytics.measures import Period, Scope
from powerdesk.analytics.models import (
    AreaRollup,
    ClockRollup,
    CustomerCount,
    DailyRollup,
    HourRollup,
    SubTypeRollup,
)
from powerdesk.customers.models import CustomerType
from powerdesk.org.models import Unit
from powerdesk.sla.models import ClockKind
from powerdesk.workorders.choices import BusinessType, Channel
from powerdesk.workorders.models import SubType, Topic


@dataclass(frozen=True)
class Filters:
    """The dashboards' filters besides the period and the unit subtree (which is the scope's)."""

    customer_type: str = ""
    channel: str = ""
    business_type: str = ""

    def cells(self, by: str = "") -> Q:
        """The rollup rows to read: the pooled rows when no filter is set and the breakdown (``by``) is
        not by one of the filters' dimensions, else the detail rows the filters select."""
        if not self.params() and by not in vars(self):
            return Q(pooled=True)
        return Q(pooled=False, **self.params())

    def params(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass(frozen=True)
class KpiSpec:
    code: str
    label: str | Promise
    definition: str | Promise  # the formula, shown on the page
    part: str  # a rollup term (or "" for a count of ``whole``)
    whole: str
    complement: bool = False  # the figure is 1 − part ÷ whole


KPIS: list[KpiSpec] = [
    KpiSpec("orders", _("业务量"), _("受理时间在统计期内的工单数。"), "", "orders"),
    KpiSpec(
        "quality_index",
        _("优质服务评价指数"),
        _(
            "1 − 来电三次及以上的事件数 ÷ 业务量（不含故障报修、表扬和一次答复办结的咨询，不含恶意诉求）。"
            "一个事件即一张工单，来电次数含首次来电。"
        ),
        "index_repeat",
        "index_base",
        complement=True,
    ),
    KpiSpec(
        "repeat_calls",
        _("重复致电率"),
        _(
            "来电两次及以上的事件数 ÷ 事件数。一个事件即一张工单（重复来电关联到同一工单），"
            "来电次数含首次来电。"
        ),
        "repeat_calls",
        "orders",
    ),
    KpiSpec(
        "first_contact_resolution",
        _("一次解决率"),
        _("已归档且只来电一次、从未重开的工单 ÷ 已归档的工单。"),
        "first_contact_resolved",
        "closed",
    ),
    KpiSpec(
        "answered_first",
        _("一次答复办结率"),
        _("以“一次答复办结”结束的工单 ÷ 已归档的工单。"),
        "answered_first",
        "closed",
    ),
    KpiSpec(
        "satisfaction",
        _("回访满意率"),
        _("回访结果为满意或基本满意的工单 ÷ 回访联系上的工单（“无法联系”不计入）。"),
        "satisfied",
        "reached",
    ),
    KpiSpec(
        "reach",
        _("回访联系率"),
        _("回访联系上客户的工单 ÷ 已回访（含无法联系）的工单。"),
        "reached",
        "called_back",
    ),
    KpiSpec("complaints", _("投诉量"), _("受理时间在统计期内的投诉工单数。"), "", "complaints"),
    KpiSpec(
        "valid_share",
        _("投诉成立率"),
        _("最近一次判定为“成立”的投诉 ÷ 投诉工单数。"),
        "valid_complaints",
        "complaints",
    ),
    KpiSpec(
        "malicious", _("恶意诉求"), _("处理人标记为恶意诉求的工单数（不计入评价指数）。"), "", "malicious"
    ),
]
KPI_BY_CODE = {k.code: k for k in KPIS}

PER_THOUSAND_DEFINITION = _(
    "千户投诉率 = 投诉数 ÷ 客户月数 × 1000。客户月数：统计期涉及的每个月，"
    "按该月月初快照的客户数乘以统计期在该月所占天数比例后相加；"
    "客户按所属台区计入单位。"
)
ON_TIME_DEFINITION = _(
    "按时达成（达成且从未超时）的计时 ÷ 已结束（达成或超时）的计时，按受理日期统计；取消的计时不计入。"
)


@dataclass
class Kpi:
    code: str
    label: str | Promise
    definition: str | Promise
    value: float | int | None
    part: int | None
    whole: int
    available: bool
    link: str
    part_link: str = ""


@dataclass
class Cell:
    key: Any
    label: str
    value: float | int | None
    link: str = ""
    part: int | None = None
    whole: int | None = None


@dataclass
class Figures:
    period: Period
    kpis: dict[str, Kpi]
    breakdowns: dict[str, list[Cell]]
    titles: dict[str, str | Promise] = field(default_factory=dict)


def rollup(model: type[Model]) -> QuerySet[Any]:
    """An aggregate table's rows, read where the dashboards read (``reads.alias``: the replica when
    one is configured)."""
    return model._default_manager.using(reads.alias())


def span(first: dt.date, last: dt.date) -> Q:
    """The rollup rows that add up to the days ``first`` to ``last``: the month rows of the whole months
    among them and the day rows of the rest (``Rollup``)."""
    start = first if first.day == 1 else rules.month_after(first)
    months = []
    month = start
    while (following := rules.month_after(month)) <= last + dt.timedelta(days=1):
        months.append(month)
        month = following
    if not months:
        return Q(monthly=False, day__gte=first, day__lte=last)
    q = Q(monthly=True, day__in=months)
    if first < months[0]:
        q |= Q(monthly=False, day__gte=first, day__lt=months[0])
    if month <= last:
        q |= Q(monthly=False, day__gte=month, day__lte=last)
    return q


def selection(model: type[Model], scope: Scope, filters: Filters, *, by: str = "") -> QuerySet[Any]:
    """The rows of ``model`` a selection reads, for every day (the scope's units; pooled or detail rows as
    the filters and the breakdown ``by`` a dimension need: :meth:`Filters.cells`)."""
    return rollup(model).filter(scope.q("unit_id"), filters.cells(by))


def _rollup(
    model: type[Model], period: Period, scope: Scope, filters: Filters, *, by: str = ""
) -> QuerySet[Any]:
    """The rows of ``model`` for the selection, to be summed or broken down ``by`` a dimension (by
    day: the day rows only)."""
    rows = selection(model, scope, filters, by=by)
    if by == "day":
        return rows.filter(monthly=False, day__gte=period.first, day__lte=period.last)
    return rows.filter(span(period.first, period.last))


def order_list_url(period: Period, scope: Scope, filters: Filters, **extra: Any) -> str:
    """The order list (queue all) with the same selection: the period's acceptance days, the unit
    subtree, the filters, and ``extra`` (``topic`` code, ``sub_type``, ``area``, ``hour``, ``measure`` …)."""
    params: dict[str, Any] = {
        "queue": "all",
        "date_from": period.first.isoformat(),
        "date_to": period.last.isoformat(),
        **filters.params(),
    }
    if scope.unit is not None:
        params["unit_tree"] = scope.unit.pk
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return f"{reverse('workorders:list')}?{urlencode(params)}"


def _ratio(part: int, whole: int, complement: bool) -> float | None:
    if not whole:
        return None
    value = part / whole
    return round(100 * (1 - value if complement else value), 2)


def dashboard_figures(period: Period, scope: Scope, filters: Filters) -> Figures:
    """Every KPI and breakdown of the dashboards for the period (acceptance days), scope and filters."""
    daily = _rollup(DailyRollup, period, scope, filters)
    terms = ["orders", *{k.part for k in KPIS if k.part}, *{k.whole for k in KPIS}]
    totals = daily.aggregate(**{t: Sum(t) for t in dict.fromkeys(terms)})
    totals = {k: v or 0 for k, v in totals.items()}
    available = totals["orders"] > 0

    def link(**extra: Any) -> str:
        return order_list_url(period, scope, filters, **extra)

    kpis: dict[str, Kpi] = {}
    for spec in KPIS:
        whole = totals[spec.whole]
        if spec.part:
            part = totals[spec.part]
            value: float | int | None = _ratio(part, whole, spec.complement)
            part_link = link(measure=spec.part)
        else:
            part, value, part_link = None, whole, ""
        measure = "" if spec.whole == "orders" else spec.whole
        kpis[spec.code] = Kpi(
            spec.code,
            spec.label,
            spec.definition,
            value,
            part,
            whole,
            available and (bool(whole) or not spec.part),
            link(measure=measure),
            part_link,
        )
    kpis.update(_per_thousand(period, scope, filters, totals, link))
    breakdowns = _breakdowns(period, scope, filters, link)
    on_time, overall = _on_time(period, scope, filters, link)
    breakdowns["on_time"] = on_time
    kpis["on_time"] = overall
    return Figures(period=period, kpis=kpis, breakdowns=breakdowns, titles=dict(BREAKDOWN_TITLES))


def _customer_months(period: Period, scope: Scope) -> float:
    rows = rollup(CustomerCount).filter(
        scope.q("area_id"), month__gte=period.first.replace(day=1), month__lte=period.last
    )
    counts: dict[dt.date, int] = {}
    for month, n in rows.values("month").annotate(n=Sum("customers")).values_list("month", "n"):
        counts[month] = n
    return rules.customer_months(counts, period.first, period.last)


def _per_thousand(
    period: Period, scope: Scope, filters: Filters, totals: dict[str, int], link: Callable[..., str]
) -> dict[str, Kpi]:
    base = _customer_months(period, scope)
    out = {}
    for code, label, term in (
        ("complaints_per_1000", _("千户投诉率"), "complaints"),
        ("valid_per_1000", _("千户有效投诉率"), "valid_complaints"),
    ):
        count = totals[term]
        out[code] = Kpi(
            code,
            label,
            PER_THOUSAND_DEFINITION,
            rules.per_thousand(count, base),
            count,
            round(base),
            bool(base),
            link(measure=term),
        )
    return out


BREAKDOWN_TITLES: dict[str, str | Promise] = {
    "business_type": _("按业务类型"),
    "topic_id": _("按业务分类"),
    "sub_type_id": _("按业务子类"),
    "channel": _("按受理渠道"),
    "unit_id": _("按处理单位"),
    "area_id": _("按台区（前20）"),
    "customer_type": _("按客户类型"),
    "hour": _("按受理时段"),
    "day": _("按受理日期"),
    "verdict": _("投诉判定结果"),
    "satisfaction_by_customer_type": _("各类客户回访满意率"),
    "on_time": _("各类时限按时率"),
}


def labels_of(dimension: str, keys: list[Any]) -> dict[Any, str]:
    if dimension == "business_type":
        return {k: str(BusinessType(k).label) if k in BusinessType.values else k for k in keys}
    if dimension == "channel":
        return {k: str(Channel(k).label) if k in Channel.values else k for k in keys}
    if dimension == "customer_type":
        return {k: str(CustomerType(k).label) if k in CustomerType.values else str(_("未知")) for k in keys}
    if dimension == "topic_id":
        return dict(Topic.objects.filter(pk__in=keys).values_list("id", "name"))
    if dimension == "sub_type_id":
        return dict(SubType.objects.filter(pk__in=keys).values_list("id", "name"))
    if dimension in ("unit_id", "area_id"):
        return dict(Unit.objects.filter(pk__in=keys).values_list("id", "name"))
    return {k: str(k) for k in keys}


def drill(dimension: str, key: Any, topics: dict[int, str]) -> dict[str, Any]:
    """The order list parameter that selects one cell of a breakdown."""
    if dimension == "topic_id":
        return {"topic": topics.get(key, "")}
    if dimension == "day":
        return {"date_from": key.isoformat(), "date_to": key.isoformat()}
    names = {"sub_type_id": "sub_type", "unit_id": "unit", "area_id": "area"}
    return {names.get(dimension, dimension): key}


# The dimensions kept in rollups of their own (the daily rollup keeps neither: ``AreaRollup``).
BY_DIMENSION: dict[str, type[Model]] = {"sub_type_id": SubTypeRollup, "area_id": AreaRollup}


def _breakdowns(
    period: Period, scope: Scope, filters: Filters, link: Callable[..., str]
) -> dict[str, list[Cell]]:
    out: dict[str, list[Cell]] = {}
    topics = dict(Topic.objects.values_list("id", "code"))
    for dimension in (
        "business_type",
        "topic_id",
        "sub_type_id",
        "channel",
        "unit_id",
        "area_id",
        "customer_type",
        "day",
    ):
        rows_of = _rollup(BY_DIMENSION.get(dimension, DailyRollup), period, scope, filters, by=dimension)
        ordering = "day" if dimension == "day" else "-n"
        rows = list(rows_of.values(dimension).annotate(n=Sum("orders")).order_by(ordering))
        if dimension == "area_id":
            rows = rows[:20]
        labels = labels_of(dimension, [r[dimension] for r in rows])
        out[dimension] = [
            Cell(
                r[dimension],
                str(labels.get(r[dimension], _("未指定"))) if dimension != "day" else r["day"].isoformat(),
                r["n"],
                link(**drill(dimension, r[dimension], topics)) if r[dimension] is not None else "",
            )
            for r in rows
        ]
    hours = dict(
        _rollup(HourRollup, period, scope, filters)
        .values("hour")
        .annotate(n=Sum("orders"))
        .values_list("hour", "n")
    )
    out["hour"] = [Cell(h, f"{h:02d}:00", hours.get(h, 0), link(hour=h)) for h in range(24)]
    daily = _rollup(DailyRollup, period, scope, filters)
    verdicts = daily.aggregate(
        valid=Sum("valid_complaints"), invalid=Sum("invalid_complaints"), pending=Sum("pending_complaints")
    )
    out["verdict"] = [
        Cell(code, str(label), verdicts[key] or 0, link(measure=term))
        for code, label, key, term in (
            ("valid", _("成立"), "valid", "valid_complaints"),
            ("invalid", _("不成立"), "invalid", "invalid_complaints"),
            ("pending", _("待补证"), "pending", "pending_complaints"),
        )
    ]
    by_type = (
        _rollup(DailyRollup, period, scope, filters, by="customer_type")
        .values("customer_type")
        .annotate(part=Sum("satisfied"), whole=Sum("reached"))
        .order_by()
    )
    labels = labels_of("customer_type", [r["customer_type"] for r in by_type])
    out["satisfaction_by_customer_type"] = [
        Cell(
            r["customer_type"],
            labels[r["customer_type"]],
            _ratio(r["part"], r["whole"], False),
            link(customer_type=r["customer_type"], measure="reached"),
            r["part"],
            r["whole"],
        )
        for r in by_type
        if r["whole"]
    ]
    return out


def on_time_terms(period: Period, scope: Scope) -> tuple[int, int]:
    """The clocks met on time and the clocks decided, of the orders accepted in the period in the scope
    (the clocks' rollup: ``sla.selectors``' terms, as the upkeep counted them)."""
    totals = _rollup(ClockRollup, period, scope, Filters()).aggregate(
        part=Sum("on_time"), whole=Sum("decided")
    )
    return totals["part"] or 0, totals["whole"] or 0


def _on_time(
    period: Period, scope: Scope, filters: Filters, link: Callable[..., str]
) -> tuple[list[Cell], Kpi]:
    rows = list(
        _rollup(ClockRollup, period, scope, filters)
        .values("kind")
        .annotate(part=Sum("on_time"), whole=Sum("decided"))
        .order_by("kind")
    )
    cells = [
        Cell(
            r["kind"],
            str(ClockKind(r["kind"]).label) if r["kind"] in ClockKind.values else r["kind"],
            _ratio(r["part"], r["whole"], False),
            link(),
            r["part"],
            r["whole"],
        )
        for r in rows
        if r["whole"]
    ]
    part, whole = sum(c.part or 0 for c in cells), sum(c.whole or 0 for c in cells)
    overall = Kpi(
        "on_time",
        _("按时率"),
        ON_TIME_DEFINITION,
        _ratio(part, whole, False),
        part,
        whole,
        bool(whole),
        link(),
    )
    return cells, overall


__all__ = [
    "BY_DIMENSION",
    "KPIS",
    "Figures",
    "Filters",
    "dashboard_figures",
    "drill",
    "labels_of",
    "on_time_terms",
    "order_list_url",
    "rollup",
    "selection",
    "span",
]
