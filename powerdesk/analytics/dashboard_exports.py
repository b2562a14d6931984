"""The dashboards' tables as Excel (``core.exports`` code ``dashboard``): every table the manager's and the
unit head's dashboards show — the KPIs, each breakdown (the chart's table), the hot spots, the seeded
hot-spot groups, the outage-notice lateness and the reliability indices — one per file, chosen by the
query's ``table``; the rest of the query is the page's own (``dashboard_query.dashboard_selection``: the
same period, unit subtree and filters, within the units the user sees; ``page=unit`` for the unit head's
page, which opens on the head's unit).

The figures are counts and rates over units, 台区, types and days: no personal data, so the file shows
what any reader of the dashboard sees. Rates are written as percentage cells (a fraction, ``0.0%``)
followed by their terms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerdesk.analytics import dashboard, hot_spots
from powerdesk.analytics.dashboard_query import Selection, dashboard_selection
from powerdesk.analytics.outage_figures import OutageFigures, Row, outage_figures
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.exports import Exporter, Table, exporters
from powerdesk.core.xlsx import DATE, DECIMAL, INTEGER, PERCENT, Column
from powerdesk.org.models import User

# Excel's own "General" format (``core.xlsx`` falls back to it for a kind it has no format for): tiny
# p-values and reliability indices with their full precision.
GENERAL = "general"
# Breakdowns whose cells are rates with their terms (the others are counts of orders).
RATE_BREAKDOWNS = ("satisfaction_by_customer_type", "on_time")

Rows = list[list[Any]]


def _fraction(percent: float | int | None) -> float | None:
    return None if percent is None else percent / 100


def _kpis(s: Selection) -> tuple[list[Column], Rows]:
    figures = dashboard.dashboard_figures(s.period, s.scope, s.filters)
    columns = [
        Column(_("指标"), width=18),
        Column(_("数值"), DECIMAL),
        Column(_("单位"), width=8),
        Column(_("分子"), INTEGER),
        Column(_("分母"), INTEGER),
        Column(_("口径"), width=80),
    ]
    rows = []
    for k in figures.kpis.values():
        per_thousand = k.code in ("complaints_per_1000", "valid_per_1000")
        unit = _("件/千户") if per_thousand else ("%" if k.part is not None else _("件"))
        value = k.value if k.available else None
        rows.append(
            [str(k.label), value, unit, k.part, k.whole if k.part is not None else None, str(k.definition)]
        )
    return columns, rows


def _breakdown(code: str) -> Callable[[Selection], tuple[list[Column], Rows]]:
    def build(s: Selection) -> tuple[list[Column], Rows]:
        cells = dashboard.dashboard_figures(s.period, s.scope, s.filters).breakdowns[code]
        first = Column(_("受理日期"), DATE) if code == "day" else Column(_("项目"), width=20)
        if code in RATE_BREAKDOWNS:
            columns = [
                first,
                Column(_("比率"), PERCENT),
                Column(_("分子"), INTEGER),
                Column(_("分母"), INTEGER),
            ]
            return columns, [[c.label, _fraction(c.value), c.part, c.whole] for c in cells]
        columns = [first, Column(_("工单数"), INTEGER)]
        return columns, [[c.key if code == "day" else c.label, c.value] for c in cells]

    return build


def _hot_spots(s: Selection) -> tuple[list[Column], Rows]:
    spots = hot_spots.hot_spots(s.period, s.scope, s.filters)
    columns = [
        Column(_("维度")),
        Column(_("单元格"), width=20),
        Column(_("本期工单数"), INTEGER),
        Column(_("期望"), DECIMAL),
        Column(_("倍数"), DECIMAL),
        Column(_("p 值"), GENERAL, width=12),
        Column(_("校正后 p"), GENERAL, width=12),
    ]
    rows = [[str(h.dimension_label), h.label, h.count, h.expected, h.ratio, h.p, h.adjusted_p] for h in spots]
    return columns, rows


def _groups(s: Selection) -> tuple[list[Column], Rows]:
    groups = hot_spots.seeded_groups(s.period, s.scope, s.filters)
    months = [m for m, _n in groups[0].months] if groups else []
    columns = [Column(_("分组")), Column(_("本期工单数"), INTEGER), *[Column(m, INTEGER) for m in months]]
    return columns, [[g.name, g.count, *[n for _m, n in g.months]] for g in groups]


def _outage(s: Selection) -> OutageFigures:
    figures = outage_figures(s.period, s.scope)
    if not figures.available:
        raise ValidationFailed(figures.absent)
    return figures


def _notice_rows(rows: list[Row]) -> Rows:
    return [
        [r.label, _fraction(r.value), r.part, r.whole, None, r.definition]
        if r.unit == "%"
        else [r.label, None, None, None, r.value, r.definition]
        for r in rows
    ]


def _outage_notices(s: Selection) -> tuple[list[Column], Rows]:
    columns = [
        Column(_("指标"), width=18),
        Column(_("比率"), PERCENT),
        Column(_("分子"), INTEGER),
        Column(_("分母"), INTEGER),
        Column(_("数量"), INTEGER),
        Column(_("口径"), width=80),
    ]
    return columns, _notice_rows(_outage(s).notices)


def _reliability(s: Selection) -> tuple[list[Column], Rows]:
    columns = [
        Column(_("指标"), width=30),
        Column(_("数值"), GENERAL, width=14),
        Column(_("单位"), width=10),
        Column(_("公式"), width=50),
        Column(_("计算"), width=50),
    ]
    rows = [
        [r.label, None if r.value is None else round(r.value, 6), r.unit, r.definition, r.worked]
        for r in _outage(s).reliability
    ]
    return columns, rows


TABLES: dict[str, tuple[Any, Callable[[Selection], tuple[list[Column], Rows]]]] = {
    "kpis": (gettext_lazy("关键指标"), _kpis),
    "hot_spots": (gettext_lazy("热点"), _hot_spots),
    "groups": (gettext_lazy("重点热点分组"), _groups),
    "outage_notices": (gettext_lazy("停电通知及时性"), _outage_notices),
    "reliability": (gettext_lazy("供电可靠性"), _reliability),
    **{code: (title, _breakdown(code)) for code, title in dashboard.BREAKDOWN_TITLES.items()},
}


def dashboard_table(user: User, params: Mapping[str, Any]) -> Table:
    own_unit = params.get("page") == "unit"
    code = params.get("table") or ""
    selection = dashboard_selection(user, params, own_unit=own_unit)
    if code not in TABLES:
        raise ValidationFailed(_("没有这张统计表。"), fields={"table": [_("没有这张统计表。")]})
    if selection.errors:
        raise ValidationFailed(_("筛选条件无效，未导出。"), fields={"filters": selection.errors})
    title, build = TABLES[code]
    columns, rows = build(selection)
    page = _("单位统计看板") if own_unit else _("统计看板")
    s = selection
    return Table(
        title=f"{page}-{title}",
        columns=columns,
        rows=iter(rows),
        count=len(rows),
        filters={
            "table": code,
            "page": "unit" if own_unit else "manager",
            "date_from": s.period.first.isoformat(),
            "date_to": s.period.last.isoformat(),
            "unit": s.scope.unit.pk if s.scope.unit is not None else None,
            **s.filters.params(),
        },
    )


def register() -> None:
    exporters.register(
        "analytics",
        "dashboard",
        Exporter(
            code="dashboard",
            label=gettext_lazy("统计看板"),
            what="analytics.dashboard",
            build=dashboard_table,
            back="analytics:dashboard",
        ),
    )


__all__ = ["TABLES", "dashboard_table", "register"]
