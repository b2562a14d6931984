"""Hot spots, read from the rollups as the dashboards read them (:mod:`powerdesk.analytics.dashboard`):

* :func:`hot_spots` — the cells significantly above their own baseline (Poisson, BH-adjusted), by the
  rule an admin edits (:class:`~powerdesk.analytics.models.HotSpotRule`);
* :func:`seeded_groups` — the hot-spot groups (缴费难 …) with their monthly trend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from powerdesk.analytics import rules
from powerdesk.analytics.dashboard import (
    BY_DIMENSION,
    Filters,
    drill,
    labels_of,
    order_list_url,
    selection,
    span,
)
from powerdesk.analytics.measures import Period, Scope
from powerdesk.analytics.models import DailyRollup, GroupRollup, HotSpotGroup, HotSpotRule
from powerdesk.workorders.models import Topic


@dataclass
class HotSpot:
    dimension: str
    dimension_label: str | Promise
    key: Any
    label: str
    count: int
    expected: float
    p: float
    adjusted_p: float
    ratio: float
    link: str


HOT_SPOT_DIMENSIONS: dict[str, str | Promise] = {
    "topic_id": _("业务分类"),
    "sub_type_id": _("业务子类"),
    "area_id": _("台区"),
    "unit_id": _("处理单位"),
}
HOT_SPOT_DEFINITION = _(
    "每个单元格（业务分类、业务子类、台区、处理单位）："
    "期望数 = 基线期内的工单数（为0时按0.5计）× 统计期天数 ÷ 基线期天数，"
    "基线期自统计期前“基线天数”那天所在月的1日起，至统计期前一日止；"
    "p = 泊松分布 P(X ≥ 本期工单数)；工单数不低于最小工单数的单元格参与检验，"
    "p 值经 Benjamini–Hochberg 校正（控制错误发现率），校正后 p 低于显著性水平者为热点，按校正后 p 排序。"
)


def hot_spot_rule() -> HotSpotRule:
    return HotSpotRule.objects.first() or HotSpotRule()


def hot_spots(
    period: Period, scope: Scope, filters: Filters, *, rule: HotSpotRule | None = None
) -> list[HotSpot]:
    """The cells whose count in the period is significantly above their own baseline, ranked."""
    rule = rule or hot_spot_rule()
    days = (period.last - period.first).days + 1
    # From the first of the month the baseline's days start in: whole months, read from month rows.
    base_first = (period.first - dt.timedelta(days=rule.baseline_days)).replace(day=1)
    base_days = (period.first - base_first).days
    base_period = Period(base_first, period.first - dt.timedelta(days=1), period.start, period.start)
    topics = dict(Topic.objects.values_list("id", "code"))
    tested: list[tuple[str, Any, int, float, float]] = []
    for dimension in HOT_SPOT_DIMENSIONS:
        daily = selection(BY_DIMENSION.get(dimension, DailyRollup), scope, filters)
        now = dict(
            daily.filter(span(period.first, period.last))
            .exclude(**{f"{dimension}__isnull": True})
            .values(dimension)
            .annotate(n=Sum("orders"))
            .values_list(dimension, "n")
        )
        keys = [k for k, n in now.items() if n >= rule.min_count]
        if not keys:
            continue
        before = dict(
            daily.filter(span(base_period.first, base_period.last))
            .values(dimension)
            .annotate(n=Sum("orders"))
            .values_list(dimension, "n")
        )
        for key in keys:
            expected = max(before.get(key, 0), 0.5) * days / base_days
            tested.append((dimension, key, now[key], expected, rules.poisson_upper_tail(now[key], expected)))
    adjusted = rules.benjamini_hochberg([t[4] for t in tested])
    labels = {d: labels_of(d, [t[1] for t in tested if t[0] == d]) for d in HOT_SPOT_DIMENSIONS}
    spots = [
        HotSpot(
            dimension=d,
            dimension_label=HOT_SPOT_DIMENSIONS[d],
            key=key,
            label=str(labels[d].get(key, key)),
            count=n,
            expected=round(mu, 2),
            p=p,
            adjusted_p=q,
            ratio=round(n / mu, 1),
            link=order_list_url(period, scope, filters, **drill(d, key, topics)),
        )
        for (d, key, n, mu, p), q in zip(tested, adjusted, strict=True)
        if q < rule.alpha and n > mu
    ]
    spots.sort(key=lambda s: (s.adjusted_p, -s.ratio))
    return spots


@dataclass
class GroupTrend:
    code: str
    name: str
    count: int  # in the period
    link: str
    months: list[tuple[str, int]]  # the 13 months up to the period's last, oldest first


def seeded_groups(period: Period, scope: Scope, filters: Filters) -> list[GroupTrend]:
    """The hot-spot groups: their orders in the period and in each of the 13 months up to its end."""
    first_month = (period.last.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    groups = selection(GroupRollup, scope, filters)
    rows = groups.filter(span(first_month, period.last))
    months = {
        (gid, f"{month:%Y-%m}"): n
        for gid, month, n in rows.annotate(month=TruncMonth("day"))
        .values("group_id", "month")
        .annotate(n=Sum("orders"))
        .values_list("group_id", "month", "n")
        .order_by()
    }
    in_period = dict(
        groups.filter(span(period.first, period.last))
        .values("group_id")
        .annotate(n=Sum("orders"))
        .values_list("group_id", "n")
    )
    month_labels: list[str] = []
    month = first_month
    while month <= period.last:
        month_labels.append(f"{month:%Y-%m}")
        month = rules.month_after(month)
    return [
        GroupTrend(
            g.code,
            g.name,
            in_period.get(g.pk, 0),
            order_list_url(period, scope, filters, group=g.code),
            [(m, months.get((g.pk, m), 0)) for m in month_labels],
        )
        for g in HotSpotGroup.objects.filter(is_active=True)
    ]


__all__ = ["HOT_SPOT_DEFINITION", "GroupTrend", "HotSpot", "hot_spot_rule", "hot_spots", "seeded_groups"]
