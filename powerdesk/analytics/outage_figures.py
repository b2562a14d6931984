"""Outage-notice lateness and supply reliability on the dashboards, read from the outages and reliability
apps (below analytics in the layers) for the dashboard's period and unit scope.

* **Notice lateness** (:data:`NOTICE_MEASURES`, one row each: label, formula, terms): the confirmed
  outages that start in the period (actual start, else planned start; Asia/Shanghai days), counted for
  their responsible unit, and the statutory notices they owed (``outages.OutageNotice``: one per affected
  customer and notice rule, its deadline ``due_by``). Whether a notice is late is the outages app's rule
  (``outages.rules.notice_is_late``, kept on the row by its notice sweep every five minutes): sent after
  its deadline, or not sent and the deadline past. Only notices whose deadline has come are owed yet.
* **Reliability**: the reliability app's DL/T 836 and IEEE 1366 figures (``reliability.selectors.
  reliability_figures``, low-voltage users) for the same period and unit, each with its formula and
  the formula worked with the period's numbers.

Every count links to the outage list with the same selection (``outages.selectors.outages_selected``,
the list's own filters), the reliability figures to the reliability page with the same period and unit
(for its readers; others to the outage list).
When the outages app holds no outage at all the source is absent and the page says so instead of zeros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from powerdesk.analytics.measures import Period, Scope
from powerdesk.core import clock
from powerdesk.outages.models import Outage, OutageNotice, OutageState
from powerdesk.outages.selectors import outages_selected
from powerdesk.reliability import presenting as reliability_presenting
from powerdesk.reliability import rules as reliability_rules
from powerdesk.reliability.selectors import reliability_figures, scope_for, user_sees_reliability


@dataclass(frozen=True)
class NoticeMeasure:
    code: str
    label: str | Promise
    definition: str | Promise  # the formula, shown on the page
    part: str  # a term of :func:`notice_terms`
    whole: str = ""  # "" for a count of ``part``
    late_list: bool = False  # its list: the outages with a late or missing notice


NOTICE_MEASURES: list[NoticeMeasure] = [
    NoticeMeasure(
        "outages",
        _("停电次数"),
        _("统计期内开始（实际开始时间，未开始的按计划开始时间）的已确认停电事件数，按责任单位计。"),
        "outages",
    ),
    NoticeMeasure(
        "notices_owed",
        _("应发停电通知"),
        _("这些停电按停电通知规则应发、且最迟通知时间已到的通知数（每户每条规则一条）。"),
        "notices_owed",
    ),
    NoticeMeasure(
        "notices_late",
        _("滞后或缺失的通知"),
        _("应发通知中晚于最迟通知时间发出、或最迟通知时间已过仍未发出的通知数。"),
        "notices_late",
        late_list=True,
    ),
    NoticeMeasure(
        "notice_late_rate",
        _("停电通知滞后率"),
        _("滞后或缺失的通知 ÷ 应发停电通知。"),
        "notices_late",
        "notices_owed",
        late_list=True,
    ),
    NoticeMeasure(
        "outages_late",
        _("通知滞后的停电"),
        _("至少一条通知滞后或缺失的停电事件数。"),
        "outages_late",
        late_list=True,
    ),
    NoticeMeasure(
        "outage_late_share",
        _("通知滞后停电占比"),
        _("通知滞后的停电 ÷ 有应发通知的停电。"),
        "outages_late",
        "outages_owing",
        late_list=True,
    ),
]

SOURCE_ABSENT = _("停电管理中还没有任何停电记录：停电通知及时性与供电可靠性缺少源数据，暂不计算。")


@dataclass
class Row:
    """One line of the dashboard's outage tables: a count, a rate (percent) or a reliability index."""

    code: str
    label: str
    value: float | int | None
    unit: str  # what the value is in: "%", "次", "小时/户" …
    definition: str
    link: str
    part: float | int | None = None
    whole: float | int | None = None
    worked: str = ""


@dataclass
class OutageFigures:
    available: bool
    notices: list[Row] = field(default_factory=list)
    reliability: list[Row] = field(default_factory=list)
    reliability_rules: str = ""
    absent: str = ""


def outages_in(period: Period, scope: Scope) -> Any:
    """The confirmed outages of the period in the scope: the outage list's selection, within the units
    the user sees."""
    return outages_selected(
        Outage.objects.filter(scope.q("unit_id")),
        unit=scope.unit,
        first=period.first,
        last=period.last,
        state=OutageState.CONFIRMED,
    )


def notice_terms(period: Period, scope: Scope, *, now: dt.datetime | None = None) -> dict[str, int]:
    """The terms the notice measures divide (three queries)."""
    now = now or clock.now()
    outages = outages_in(period, scope)
    owed = OutageNotice.objects.filter(outage__in=outages.values("pk"), due_by__lte=now)
    notices = owed.aggregate(owed=Count("id"), late=Count("id", filter=Q(late=True)))
    owing = outages.filter(pk__in=owed.values("outage_id"))
    counts = outages.aggregate(
        outages=Count("id"), late=Count("id", filter=Q(notice_flagged=True, pk__in=owed.values("outage_id")))
    )
    return {
        "outages": counts["outages"],
        "outages_late": counts["late"],
        "outages_owing": owing.count(),
        "notices_owed": notices["owed"],
        "notices_late": notices["late"],
    }


def outage_list_url(period: Period, scope: Scope, **extra: Any) -> str:
    params: dict[str, Any] = {
        "date_from": period.first.isoformat(),
        "date_to": period.last.isoformat(),
        "state": OutageState.CONFIRMED.value,
    }
    if scope.unit is not None:
        params["unit"] = scope.unit.pk
    params.update({k: v for k, v in extra.items() if v})
    return f"{reverse('outages:list')}?{urlencode(params)}"


def reliability_url(period: Period, scope: Scope) -> str:
    params: dict[str, Any] = {"date_from": period.first.isoformat(), "date_to": period.last.isoformat()}
    if scope.unit is not None:
        params["unit"] = scope.unit.pk
    return f"{reverse('reliability:report')}?{urlencode(params)}"


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def outage_figures(period: Period, scope: Scope, *, now: dt.datetime | None = None) -> OutageFigures:
    """The notice-lateness measures and the reliability indices of the period and scope (see the
    module's docstring); ``available`` is False when the outages app holds no outage at all."""
    if not Outage.objects.exists():
        return OutageFigures(available=False, absent=str(SOURCE_ABSENT))
    terms = notice_terms(period, scope, now=now)
    notices = []
    for m in NOTICE_MEASURES:
        link = outage_list_url(period, scope, notice="late" if m.late_list else "")
        if m.whole:
            part, whole = terms[m.part], terms[m.whole]
            notices.append(
                Row(m.code, str(m.label), _rate(part, whole), "%", str(m.definition), link, part, whole)
            )
        else:
            notices.append(Row(m.code, str(m.label), terms[m.part], "", str(m.definition), link))
    report = reliability_figures(
        scope=scope_for(scope.user, unit=scope.unit, feeder=None),
        first=period.first,
        last=period.last,
        user_unit=reliability_rules.LV,
    )
    # The reliability page is for service management and dispatchers; other readers (a unit head) get
    # the outage list behind the figures.
    page = (
        reliability_url(period, scope)
        if user_sees_reliability(scope.user)
        else outage_list_url(period, scope)
    )
    reliability = [
        Row(f.code, f.label, f.value, f.unit, f.formula, page, worked=f.worked)
        for f in [
            *reliability_presenting.dlt836_figures(report.dlt),
            *reliability_presenting.ieee1366_figures(report.ieee),
        ]
    ]
    rules_text = " ".join(
        [
            reliability_presenting.dlt836_rules(report.settings, report.user_unit),
            reliability_presenting.ieee1366_rules(report.settings),
        ]
    )
    return OutageFigures(
        available=True, notices=notices, reliability=reliability, reliability_rules=rules_text
    )
