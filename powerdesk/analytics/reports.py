"""The monthly service-quality report of a unit: what it contains (:func:`report_figures`), issuing it
(:func:`report_issue`: computed once and frozen), and who may see which (:func:`reports_visible`).

Contents, all for the unit and the units below it, for one calendar month in Asia/Shanghai:

* the KPIs of the quality view (``measures.compute``, each figure's terms kept) for the month, the
  previous month and the same month a year before — a comparison month for which a report of the unit
  was issued takes that report's figures, as they were taken to that meeting;
* the volume by business type and by day;
* the hot spots, when the analytics ``hot_spots`` module exists (otherwise the section says its source is
  not available — never zeros);
* the worst 台区 (most complaints, then most orders; complaints per 1,000 customers of the 台区);
* the valid complaints (latest judgment 成立) with their severity and responsibility;
* the orders re-opened during the month (whenever they were accepted: a re-open after a report was
  issued shows here, in the next one);
* the cases assigned for learning in the month, when the learning feature is installed.

The stored figures are codes, names as issued and numbers; the page and the PDF word them in the
reader's language. No personal data is stored: orders are named by number.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from powerdesk.analytics import dashboard, measures, reads
from powerdesk.analytics.measures import MEASURES, Mean, Ratio, Scope
from powerdesk.analytics.reports_models import MonthlyReport
from powerdesk.analytics.selectors import month_bounds, period_of, quality_allowed
from powerdesk.complaints.models import ComplaintRecord, Judgment, Verdict
from powerdesk.core import clock
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed
from powerdesk.customers.models import Customer
from powerdesk.org.models import Unit, User
from powerdesk.org.selectors import user_sees_unit, visible_units_filter
from powerdesk.workorders.choices import BusinessType, EventKind
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent

logger = logging.getLogger(__name__)

FORMAT = 1  # of the stored figures; a page reads the formats it knows
WORST_AREAS = 10
NOTABLE_COMPLAINTS = 20
REOPENED_MAX = 50
LEARNING_MODEL = ("knowledge", "LearningAssignment")


# --- reading --------------------------------------------------------------------------------------


def reports_visible(*, user: User) -> QuerySet[MonthlyReport]:
    """The reports of the units the user may see (the quality view's readers only), read where the
    dashboards read (``reads.alias``)."""
    quality_allowed(user)
    reports = MonthlyReport.objects.using(reads.alias()).select_related("unit", "issued_by")
    visible = visible_units_filter(user, "unit_id")
    return reports.filter(visible) if visible is not None else reports


def report_get(*, user: User, pk: int) -> MonthlyReport:
    report = reports_visible(user=user).filter(pk=pk).first()
    if report is None and reads.alias() != reads.DEFAULT:
        # Just issued (the page after issuing), and the replica has not caught up yet.
        with reads.on_primary():
            report = reports_visible(user=user).filter(pk=pk).first()
    if report is None:
        raise NotFound(_("找不到该报告。"))
    return report


# --- issuing --------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return month_start(month - dt.timedelta(days=1))


def report_issue(*, user: User, unit: Unit, month: dt.date) -> tuple[MonthlyReport, bool]:
    """Issue the report of ``unit`` for ``month`` (a finished month): computed now and frozen. Answers
    the report and whether it is new; a report already issued for that unit and month is answered as
    it stands (issuing again never rewrites it)."""
    with reads.on_primary():
        return _issue(user=user, unit=unit, month=month)


def _issue(*, user: User, unit: Unit, month: dt.date) -> tuple[MonthlyReport, bool]:
    quality_allowed(user)
    if not user_sees_unit(user, unit):
        raise NotPermitted(_("您不能发布该单位的报告。"))
    month = month_start(month)
    if month >= month_start(clock.local_date()):
        raise ValidationFailed(_("只能发布已结束月份的报告。"), fields={"month": [_("该月尚未结束。")]})
    existing = MonthlyReport.objects.filter(unit=unit, month=month).first()
    if existing is not None:
        return existing, False
    figures = report_figures(user=user, unit=unit, month=month)
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(
                unit=unit, month=month, figures=figures, issued_by=user, issued_at=clock.now()
            )
    except IntegrityError:  # issued meanwhile by someone else: theirs stands
        return MonthlyReport.objects.get(unit=unit, month=month), False
    return report, True


def report_figures(*, user: User, unit: Unit, month: dt.date) -> dict[str, Any]:
    first, last = month_bounds(month)
    period = period_of(first, last)
    scope = Scope(user, unit)
    previous = previous_month(first)
    last_year = first.replace(year=first.year - 1)
    return {
        "format": FORMAT,
        "unit": {"id": unit.pk, "name": unit.name, "code": unit.code},
        "month": first.isoformat(),
        "kpis": {
            "current": _kpis(period, scope),
            "previous": _kpis_of(unit, previous, scope),
            "last_year": _kpis_of(unit, last_year, scope),
            "previous_month": previous.isoformat(),
            "last_year_month": last_year.isoformat(),
        },
        "volume": _volume(period, scope),
        "hot_spots": _hot_spots(period, scope),
        "worst_areas": _worst_areas(period, scope),
        "complaints": _valid_complaints(period, scope),
        "reopened": _reopened(period, scope),
        "learning": _learning(period, unit),
    }


def _figure(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, Ratio):
        return {"value": value.percent, "part": value.part, "whole": value.whole}
    if isinstance(value, Mean):
        return {"value": value.value, "total": value.total, "count": value.count}
    return {"value": value}


def _kpis(period: measures.Period, scope: Scope) -> dict[str, Any]:
    """Each measure's total over the scope (None: its source has no data in the month).

    The on-time rate is read from the clocks' rollup, which counts the same clocks by the same terms
    (``sla.selectors``) and is kept current by the worker: the measure itself probes the clocks of every
    order of the month one by one (a county's month at a province's volume: ~140,000 probes, seconds
    when the month is not in memory), while the report wants only the scope's total."""
    results = measures.compute(period=period, scope=scope, by="unit", leave_out=("on_time",))
    on_time, decided = dashboard.on_time_terms(period, scope)
    figures: dict[str, Any] = {}
    for code, m in MEASURES.items():
        if code == "on_time":
            figures[code] = _figure(Ratio(on_time, decided)) if decided else None
            continue
        r = results[code]
        figures[code] = _figure(measures.total(m.kind, list(r.values.values())) if r.available else None)
    return figures


def _kpis_of(unit: Unit, month: dt.date, scope: Scope) -> dict[str, Any]:
    """A comparison month: the figures of the report issued for it, or computed now."""
    issued = MonthlyReport.objects.filter(unit=unit, month=month).values_list("figures", flat=True).first()
    if issued is not None:
        return {"issued": True, "figures": issued["kpis"]["current"]}
    first, last = month_bounds(month)
    return {"issued": False, "figures": _kpis(period_of(first, last), scope)}


def _orders(period: measures.Period, scope: Scope) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(
        scope.q("unit_id"), created_at__gte=period.start, created_at__lt=period.end
    )


def _volume(period: measures.Period, scope: Scope) -> dict[str, Any]:
    orders = _orders(period, scope)
    by_type = dict(orders.values_list("business_type").annotate(n=Count("id")).order_by())
    daily = (
        orders.annotate(day=TruncDate("created_at", tzinfo=clock.BUSINESS_TZ))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    return {
        "orders": sum(by_type.values()),
        "by_type": {code: by_type.get(code, 0) for code in BusinessType.values},
        "daily": [[day.isoformat(), n] for day, n in daily],
    }


def _hot_spots(period: measures.Period, scope: Scope) -> dict[str, Any]:
    """The analytics dashboards' hot spots when that function exists in this installation."""
    if importlib.util.find_spec("powerdesk.analytics.hot_spots") is None:
        return {"available": False, "items": []}
    module = importlib.import_module("powerdesk.analytics.hot_spots")
    if not hasattr(module, "hot_spots") or not hasattr(module, "Filters"):
        return {"available": False, "items": []}
    spots = module.hot_spots(period, scope, module.Filters())
    return {
        "available": True,
        "items": [
            {
                "dimension": str(s.dimension_label),
                "label": str(s.label),
                "count": s.count,
                "expected": round(float(s.expected), 1),
                "ratio": round(float(s.ratio), 2),
                "adjusted_p": float(s.adjusted_p),
            }
            for s in spots[:10]
        ],
    }


def _worst_areas(period: measures.Period, scope: Scope) -> list[dict[str, Any]]:
    """The 台区 with the most complaints (then orders): the order's 台区, as accepted (the dashboards'
    breakdown by 台区 counts the same)."""
    rows = list(
        _orders(period, scope)
        .filter(area__isnull=False)
        .values("area_id", "area__name")
        .annotate(
            orders=Count("id"),
            complaints=Count("id", filter=Q(business_type=BusinessType.COMPLAINT)),
            repeats=Count("id", filter=Q(contact_count__gte=measures.REPEAT_CONTACTS)),
        )
        .order_by("-complaints", "-orders", "area__name")[:WORST_AREAS]
    )
    customers = dict(
        Customer.objects.filter(area_id__in=[r["area_id"] for r in rows])
        .values_list("area_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = []
    for r in rows:
        base = customers.get(r["area_id"], 0)
        out.append(
            {
                "id": r["area_id"],
                "name": r["area__name"],
                "orders": r["orders"],
                "complaints": r["complaints"],
                "repeats": r["repeats"],
                "customers": base,
                "per_thousand": round(1000 * r["complaints"] / base, 2) if base else None,
            }
        )
    return out


def _valid_complaints(period: measures.Period, scope: Scope) -> list[dict[str, Any]]:
    latest = Judgment.objects.filter(record=OuterRef("pk")).order_by("-at", "-id")
    records = (
        ComplaintRecord.objects.filter(
            scope.q("order__unit_id"),
            order__created_at__gte=period.start,
            order__created_at__lt=period.end,
        )
        .annotate(
            latest_verdict=Subquery(latest.values("verdict")[:1]),
            judged_at=Subquery(latest.values("at")[:1]),
            responsible=Subquery(latest.values("responsible_unit__name")[:1]),
        )
        .filter(latest_verdict=Verdict.VALID)
        .select_related("order", "order__sub_type", "severity")
        .order_by(F("severity__rank").desc(nulls_last=True), "order__created_at")[:NOTABLE_COMPLAINTS]
    )
    return [
        {
            "number": r.order.number,
            "accepted": _local(r.order.created_at),
            "sub_type": r.order.sub_type.name if r.order.sub_type else "",
            "severity": r.severity.name if r.severity else "",
            "verdict": r.latest_verdict,
            "judged_at": _local(r.judged_at) if r.judged_at else "",
            "responsible": r.responsible or "",
        }
        for r in records
    ]


def _reopened(period: measures.Period, scope: Scope) -> list[dict[str, Any]]:
    events = (
        WorkOrderEvent.objects.filter(
            scope.q("order__unit_id"), kind=EventKind.REOPEN, at__gte=period.start, at__lt=period.end
        )
        .select_related("order")
        .order_by("at", "id")[:REOPENED_MAX]
    )
    return [
        {
            "number": e.order.number,
            "accepted": _local(e.order.created_at),
            "reopened_at": _local(e.at),
            "earlier_month": e.order.created_at < period.start,
        }
        for e in events
    ]


def _learning(period: measures.Period, unit: Unit) -> dict[str, Any]:
    """Cases assigned for learning in the month to people of the unit's subtree, when the learning
    feature is installed (looked up in the app registry: this app does not depend on it)."""
    try:
        model = apps.get_model(*LEARNING_MODEL)
    except LookupError:
        return {"available": False, "items": []}
    try:
        return {"available": True, "items": _assignments(model, period, unit)}
    except FieldError:
        # The learning model's fields are not the ones this reads (another version of that feature):
        # the section is left out rather than the report refused.
        logger.exception("the learning assignments could not be read for the monthly report")
        return {"available": False, "items": []}


def _assignments(model: Any, period: measures.Period, unit: Unit) -> list[dict[str, Any]]:
    subtree = Q(recipients__unit__path__startswith=unit.path)
    assignments = (
        model.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
        .filter(subtree)
        .annotate(
            people=Count("recipients", filter=subtree, distinct=True),
            confirmed=Count(
                "recipients", filter=subtree & Q(recipients__confirmed_at__isnull=False), distinct=True
            ),
        )
        .select_related("version", "order")
        .order_by("created_at", "id")
    )
    return [
        {
            "title": a.version.title,
            "order": a.order.number if a.order_id else "",
            "due": a.due_date.isoformat(),
            "people": a.people,
            "confirmed": a.confirmed,
        }
        for a in assignments
    ]


def _local(value: dt.datetime) -> str:
    return value.astimezone(clock.BUSINESS_TZ).isoformat(timespec="minutes")
