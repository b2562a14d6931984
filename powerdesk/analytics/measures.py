"""The service quality view's measures: one documented function each, one grouped query each.

Every function takes the period (:class:`Period`), the scope (:class:`Scope`) and ``by`` (``"staff"`` or
``"unit"``) and answers :class:`Result`: a figure per staff member or unit id. The key ``None`` holds
what no staff member (or unit) is named for: it is left out of the rows and counted in the totals. A
result is ``available`` when the source had any row in the period and scope at all, so the page can say
"no data" instead of showing zeros.

Attribution: orders count for their handling unit, and for the staff member handling them (the
assignee, or the agent who took the order when no one was assigned); a valid complaint for the
responsibility its judgment assigned; praise for whom its credit names; a rectification for its unit
and owner.

The period is the orders' acceptance time (``WorkOrder.created_at``) in Asia/Shanghai unless a measure
says otherwise (open rectifications are counted as they stand now; campaign survey answers, which have
no order, by the time they were submitted; 意见簿 entries, which name no one, by the time they were
written, for their service hall's unit).

Surveys come in two kinds, labelled apart: the survey after an order (工单调查, about that order's
handling) and the campaign survey (服务调查, sent to customers outside any order); the combined score
pools both kinds' answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from powerdesk.complaints.models import Judgment, PraiseCredit, Rectification, RectificationState, Verdict
from powerdesk.feedback.models import OpinionEntry, SurveyResponse
from powerdesk.org.models import Unit, User
from powerdesk.org.selectors import visible_units_filter
from powerdesk.sla.models import Clock, ClockState
from powerdesk.sla.selectors import CLOCK_DECIDED, CLOCK_ON_TIME  # the on-time rate's one definition
from powerdesk.workorders.choices import Satisfaction
from powerdesk.workorders.models import WorkOrder

BY = ("staff", "unit")
# An order "called again" once it has this many contacts (the first call included).
REPEAT_CONTACTS = 2
# Reached callbacks (无法联系 is an attempt, not a callback done) and those that count as satisfied.
REACHED = (Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.DISSATISFIED)
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASIC)


@dataclass(frozen=True)
class Period:
    """Business days ``first`` to ``last`` (inclusive), as the aware instants [start, end)."""

    first: dt.date
    last: dt.date
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Scope:
    """Whose figures count: the units the user may see (``org.selectors.visible_units_filter``, the rule
    the order list applies), narrowed to one unit's subtree when ``unit`` is given."""

    user: User
    unit: Unit | None = None

    def q(self, unit_field: str) -> Q:
        condition = Q()
        visible = visible_units_filter(self.user, unit_field)
        if visible is not None:
            condition &= visible
        if self.unit is not None:
            subtree = Unit.objects.filter(path__startswith=self.unit.path).values("id")
            condition &= Q(**{f"{unit_field}__in": subtree})
        return condition


@dataclass(frozen=True)
class Ratio:
    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.part / self.whole, 1) if self.whole else None

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.part + other.part, self.whole + other.whole)


@dataclass(frozen=True)
class Mean:
    total: int
    count: int

    @property
    def value(self) -> float | None:
        return round(self.total / self.count, 2) if self.count else None

    def __add__(self, other: Mean) -> Mean:
        return Mean(self.total + other.total, self.count + other.count)


Key = int | None  # a user's or unit's id; None: what names no one


@dataclass
class Result:
    values: dict[Key, Any] = field(default_factory=dict)
    available: bool = False


@dataclass(frozen=True)
class Measure:
    code: str
    label: str | Promise
    definition: str | Promise  # shown on the page and in the API, in the reader's language
    kind: str  # "count", "ratio" or "mean"
    compute: Callable[..., Result]
    missing: str | Promise  # what the page says when the source has no data


MEASURES: dict[str, Measure] = {}


def measure(
    code: str, label: str | Promise, kind: str, definition: str | Promise, missing: str | Promise
) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    def register(function: Callable[..., Result]) -> Callable[..., Result]:
        MEASURES[code] = Measure(code, label, definition, kind, function, missing)
        return function

    return register


def _grouped(qs: QuerySet[Any], key: Any, **figures: Any) -> list[dict[str, Any]]:
    """One GROUP BY query: ``key`` (an expression) and the aggregates ``figures`` per value of it."""
    return list(qs.annotate(_key=key).values("_key").annotate(**figures).order_by())


def _handler(prefix: str = "") -> Coalesce:
    """The staff member an order counts for: its assignee, else the agent who took it."""
    return Coalesce(F(f"{prefix}assignee_id"), F(f"{prefix}owner_id"))


def _orders(period: Period, scope: Scope, prefix: str = "") -> Q:
    return Q(**{f"{prefix}created_at__gte": period.start, f"{prefix}created_at__lt": period.end}) & scope.q(
        f"{prefix}unit_id"
    )


def _counts(rows: list[dict[str, Any]], name: str = "n") -> Result:
    return Result({r["_key"]: r[name] for r in rows}, available=bool(rows))


@measure(
    "valid_complaints",
    _("有效投诉"),
    "count",
    _(
        "受理时间在统计期内、最近一次判定为“成立”的投诉，按判定确定的责任人、责任单位计数。"
        "统计范围按责任单位。"
    ),
    _("统计期内没有已判定的投诉。"),
)
def valid_complaints(*, period: Period, scope: Scope, by: str) -> Result:
    """Complaints accepted in the period whose latest judgment is 成立, counted for the responsible
    staff member / unit that judgment names (available: any complaint judged, whatever the verdict)."""
    latest = Judgment.objects.filter(record=OuterRef("record")).order_by("-at", "-id").values("id")[:1]
    qs = Judgment.objects.filter(
        scope.q("responsible_unit_id"),
        pk=Subquery(latest),
        record__order__created_at__gte=period.start,
        record__order__created_at__lt=period.end,
    )
    key = F("responsible_staff_id") if by == "staff" else F("responsible_unit_id")
    return _counts(_grouped(qs, key, n=Count("id", filter=Q(verdict=Verdict.VALID))))


@measure(
    "praise",
    _("表扬"),
    "count",
    _(
        "受理时间在统计期内的表扬工单，按表扬对象（员工、单位）计数。统计范围按受表扬单位，未指明单位时按员工所在单位。"
    ),
    _("统计期内没有登记表扬对象的表扬。"),
)
def praise(*, period: Period, scope: Scope, by: str) -> Result:
    """表扬 orders accepted in the period, counted for the staff member / unit their credit names."""
    in_scope = Q(unit__isnull=False) & scope.q("unit_id") | Q(unit__isnull=True) & scope.q("staff__unit_id")
    qs = PraiseCredit.objects.filter(
        in_scope, order__created_at__gte=period.start, order__created_at__lt=period.end
    )
    key = F("staff_id") if by == "staff" else F("unit_id")
    return _counts(_grouped(qs, key, n=Count("id")))


@measure(
    "satisfaction",
    _("回访满意率"),
    "ratio",
    _(
        "受理时间在统计期内、已回访且联系上客户的工单中，回访结果为“满意”或“基本满意”的比例"
        "（“无法联系”不计入）。按处理人（无处理人时为受理人）、处理单位统计。"
    ),
    _("统计期内没有完成的回访。"),
)
def satisfaction(*, period: Period, scope: Scope, by: str) -> Result:
    """Share of reached callbacks (满意, 基本满意, 不满意) that were 满意 or 基本满意."""
    qs = WorkOrder.objects.filter(
        _orders(period, scope), called_back_at__isnull=False, satisfaction__in=REACHED
    )
    key = _handler() if by == "staff" else F("unit_id")
    rows = _grouped(qs, key, whole=Count("id"), part=Count("id", filter=Q(satisfaction__in=SATISFIED)))
    return Result({r["_key"]: Ratio(r["part"], r["whole"]) for r in rows}, available=bool(rows))


@measure(
    "survey_score",
    _("工单调查平均分"),
    "mean",
    _(
        "工单调查：受理时间在统计期内的工单办结后收到的满意度调查评分（1–5 分）的平均值，"
        "按工单的处理人、处理单位统计。不含服务调查（调查活动）的答卷。"
    ),
    _("统计期内没有收到工单调查评分。"),
)
def survey_score(*, period: Period, scope: Scope, by: str) -> Result:
    """Mean 1–5 score of the survey responses about orders accepted in the period."""
    qs = SurveyResponse.objects.filter(_order_surveys(period, scope), score__isnull=False)
    key = _handler("order__") if by == "staff" else F("order__unit_id")
    return _means(_grouped(qs, key, total=Sum("score"), count=Count("id")))


@measure(
    "campaign_survey_score",
    _("服务调查平均分"),
    "mean",
    _(
        "服务调查：提交时间在统计期内的调查活动（不针对某张工单的服务调查）答卷评分（1–5 分）的平均值，"
        "计入调查活动的范围单位；答卷不对应具体员工，按员工统计时只计入合计。"
    ),
    _("统计期内没有收到服务调查评分。"),
)
def campaign_survey_score(*, period: Period, scope: Scope, by: str) -> Result:
    """Mean 1–5 score of the campaign (服务调查) responses submitted in the period, for the campaign's
    unit; no staff member is named by them (key None: in the totals only)."""
    qs = SurveyResponse.objects.filter(_campaign_surveys(period, scope), score__isnull=False)
    key = Value(None, output_field=IntegerField()) if by == "staff" else F("campaign__unit_id")
    return _means(_grouped(qs, key, total=Sum("score"), count=Count("id")))


@measure(
    "all_survey_score",
    _("调查平均分（合计）"),
    "mean",
    _(
        "工单调查与服务调查的全部评分合在一起的平均值（各按上面两项的口径取数、归属），"
        "即两项的总分之和除以份数之和，不是两个平均分的平均。"
    ),
    _("统计期内没有收到任何调查评分。"),
)
def all_survey_score(*, period: Period, scope: Scope, by: str) -> Result:
    """Mean 1–5 score of order and campaign responses together, each selected and attributed as in
    ``survey_score`` and ``campaign_survey_score`` (one query: total scores over number of answers)."""
    qs = SurveyResponse.objects.filter(
        _order_surveys(period, scope) | _campaign_surveys(period, scope), score__isnull=False
    )
    # A campaign response has no order: its handler is null (None, the totals), its unit the campaign's.
    key = _handler("order__") if by == "staff" else Coalesce(F("order__unit_id"), F("campaign__unit_id"))
    return _means(_grouped(qs, key, total=Sum("score"), count=Count("id")))


@measure(
    "opinions",
    _("意见簿留言数"),
    "count",
    _(
        "统计期内客户在营业厅意见簿（扫码页面）写下的留言条数，按营业厅所属单位计数；"
        "留言不指名员工，按员工统计时只计入合计。"
    ),
    _("统计期内意见簿没有留言。"),
)
def opinions(*, period: Period, scope: Scope, by: str) -> Result:
    """意见簿 entries written in the period, for their service hall's unit; they name no staff member
    (key None: in the totals only)."""
    qs = OpinionEntry.objects.filter(
        scope.q("hall__unit_id"), created_at__gte=period.start, created_at__lt=period.end
    )
    key = Value(None, output_field=IntegerField()) if by == "staff" else F("hall__unit_id")
    return _counts(_grouped(qs, key, n=Count("id")))


def _order_surveys(period: Period, scope: Scope) -> Q:
    return Q(order__isnull=False) & _orders(period, scope, "order__")


def _campaign_surveys(period: Period, scope: Scope) -> Q:
    return Q(campaign__isnull=False, created_at__gte=period.start, created_at__lt=period.end) & scope.q(
        "campaign__unit_id"
    )


def _means(rows: list[dict[str, Any]]) -> Result:
    return Result({r["_key"]: Mean(r["total"] or 0, r["count"]) for r in rows}, available=bool(rows))


@measure(
    "on_time",
    _("按时率"),
    "ratio",
    _(
        "受理时间在统计期内的工单的时限计时中，按时达成（达成且从未超时）的占已结束（已达成或已超时）的比例，"
        "口径与“时限”页的准时率相同；可按时限类别筛选。已取消的计时不计入。"
    ),
    _("统计期内没有已结束的时限计时。"),
)
def on_time(*, period: Period, scope: Scope, by: str, kind: str = "") -> Result:
    """Clocks met on time ÷ clocks decided (met or breached), of orders accepted in the period."""
    qs = Clock.objects.filter(_orders(period, scope, "order__"), CLOCK_DECIDED).exclude(
        state=ClockState.CANCELLED
    )
    if kind:
        qs = qs.filter(kind=kind)
    key = _handler("order__") if by == "staff" else F("order__unit_id")
    rows = _grouped(qs, key, whole=Count("id"), part=Count("id", filter=CLOCK_ON_TIME))
    return Result({r["_key"]: Ratio(r["part"], r["whole"]) for r in rows}, available=bool(rows))


@measure(
    "repeat_calls",
    _("重复来电率"),
    "ratio",
    _("受理时间在统计期内的工单中，来电两次及以上（含首次来电）的工单所占比例。按处理人、处理单位统计。"),
    _("统计期内没有受理的工单。"),
)
def repeat_calls(*, period: Period, scope: Scope, by: str) -> Result:
    """Orders with at least ``REPEAT_CONTACTS`` contacts ÷ orders accepted in the period."""
    qs = WorkOrder.objects.filter(_orders(period, scope))
    key = _handler() if by == "staff" else F("unit_id")
    rows = _grouped(
        qs, key, whole=Count("id"), part=Count("id", filter=Q(contact_count__gte=REPEAT_CONTACTS))
    )
    return Result({r["_key"]: Ratio(r["part"], r["whole"]) for r in rows}, available=bool(rows))


@measure(
    "open_rectifications",
    _("未完成整改"),
    "count",
    _("当前仍在整改中的整改任务（不限统计期），按整改负责人、责任单位计数。"),
    _("没有整改任务。"),
)
def open_rectifications(*, period: Period, scope: Scope, by: str) -> Result:
    """Rectifications open now (whatever the period), for their owner / responsible unit. Available
    whenever the scope has open ones; none open is a real zero, so it is available regardless."""
    qs = Rectification.objects.filter(scope.q("unit_id"), state=RectificationState.OPEN)
    key = F("owner_id") if by == "staff" else F("unit_id")
    result = _counts(_grouped(qs, key, n=Count("id")))
    result.available = True
    return result


def compute(
    *, period: Period, scope: Scope, by: str, kind: str = "", leave_out: tuple[str, ...] = ()
) -> dict[str, Result]:
    """Every measure's result (but those of ``leave_out``): one grouped query each, whatever the number
    of staff or units."""
    results: dict[str, Result] = {}
    for code, m in MEASURES.items():
        if code in leave_out:
            continue
        extra = {"kind": kind} if code == "on_time" else {}
        results[code] = m.compute(period=period, scope=scope, by=by, **extra)
    return results


def total(kind: str, values: list[Any]) -> Any:
    """The total of a measure's figures (counts add up; ratios and means add their terms)."""
    start: Any = {"count": 0, "ratio": Ratio(0, 0), "mean": Mean(0, 0)}[kind]
    for value in values:
        start = start + value
    return start


__all__ = ["MEASURES", "Mean", "Measure", "Period", "Ratio", "Result", "Scope", "compute", "total"]
