"""Reads of work orders, always scoped to the units the user may see.

One filter function serves the console list and the API list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import NotFound
from powerdesk.org.models import User
from powerdesk.org.selectors import user_may, visible_units_filter
from powerdesk.sla.models import Clock, ClockState
from powerdesk.workorders import reference
from powerdesk.workorders.choices import (
    CLOSED_STATUSES,
    FIELD_TYPES,
    FIRST_ANSWER_TYPES,
    ON_SITE_TYPES,
    Satisfaction,
    Status,
)
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from powerdesk.workorders.transitions import Transition, transitions_from


def order_visible(user: User) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.all()
    visible = visible_units_filter(user, "unit_id")
    if visible is not None:
        qs = qs.filter(visible)
    return qs


@dataclass
class OrderFilter:
    queue: str = "all"  # mine | unit | all
    status: list[str] | None = None
    business_type: str = ""
    topic: str = ""
    unit: int | None = None
    channel: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    overdue: bool = False
    open_only: bool = False
    flagged: bool = False
    q: str = ""
    breached: bool = False  # a clock of the order is in state breached
    sort: str = "newest"  # newest (created_at descending) | due (due_at ascending, orders without one last)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.BUSINESS_TZ)


def order_list(*, user: User, f: OrderFilter) -> QuerySet[WorkOrder]:
    """The orders of a list page, filtered and ordered; paginate with ``core.pagination.ListPaginator``.

    Every filter is a plain column condition with constants the planner can estimate, served by the
    list indexes of ``WorkOrder`` (see its Meta)."""
    if f.queue == "unit":
        # The user's own unit is always in their scope (no unit: nothing), so the scope filter would
        # only add a join: the unit's open queue is one index range (wo_unit_open_created_id).
        qs = WorkOrder.objects.filter(unit_id=user.unit_id or 0).exclude(status__in=CLOSED_STATUSES)
    else:
        qs = order_visible(user)
    if f.queue == "mine":
        qs = qs.filter(assignee=user) | qs.filter(owner=user, assignee__isnull=True)
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.open_only:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    if f.business_type:
        qs = qs.filter(business_type=f.business_type)
    if f.topic:
        # By id, not through the join: the planner then uses the topic column's statistics.
        topic = reference.topic_any(f.topic)
        qs = qs.filter(topic_id=topic.pk if topic else 0)
    if f.unit:
        qs = qs.filter(unit_id=f.unit)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.date_from:
        qs = qs.filter(created_at__gte=_day_start(f.date_from))
    if f.date_to and f.date_to < dt.date.max:
        qs = qs.filter(created_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.overdue:
        qs = qs.filter(due_at__lt=clock.now()).exclude(status__in=CLOSED_STATUSES)
    if f.flagged:
        qs = qs.filter(is_flagged=True)
    if f.breached:
        qs = qs.filter(Exists(Clock.objects.filter(order=OuterRef("pk"), state=ClockState.BREACHED)))
    if f.q:
        term = f.q.strip()
        qs = qs.filter(number=term) if term.isdigit() else qs.filter(description__icontains=term)
    ordering = [F("due_at").asc(nulls_last=True), "id"] if f.sort == "due" else ["-created_at", "-id"]
    return qs.select_related("topic", "unit", "customer", "assignee", "sub_type").order_by(*ordering)


def order_get(*, user: User, number: str) -> WorkOrder:
    order = (
        order_visible(user)
        .select_related(
            "topic", "unit", "customer", "customer__area", "area", "owner", "assignee", "parent", "sub_type"
        )
        .filter(number=number)
        .first()
    )
    if order is None:
        raise NotFound(_("找不到该工单。"))
    return order


def order_timeline(order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    return order.events.select_related("actor").order_by("at", "id")


def transition_refusal(order: WorkOrder, code: str) -> str | None:
    """Why ``code`` cannot run on ``order`` although its status is a source of the transition (a rule
    of the business type or of the callback), or ``None`` when nothing beyond the table stands in the way.

    The services raise this reason; the console and API hide the transition while it applies."""
    if code == "arrive" and order.business_type not in ON_SITE_TYPES:
        return _("只有需要现场处理的工单（故障报修、服务申请、业务办理）才记录到达现场。")
    if code == "resolve" and order.business_type in FIELD_TYPES and order.status != Status.ON_SITE:
        return _("故障报修工单须先记录到达现场，才能处理完成。")
    if code == "answer" and order.business_type not in FIRST_ANSWER_TYPES:
        return _("只有咨询、表扬类工单可以一次答复办结。")
    if code == "archive":
        if order.satisfaction == Satisfaction.DISSATISFIED:
            return _("客户回访不满意，不能归档：请重开工单继续处理。")
        if order.satisfaction not in (Satisfaction.SATISFIED, Satisfaction.BASIC):
            return _("尚未成功回访客户，不能归档。")
    return None


def order_transitions_for(*, user: User, order: WorkOrder) -> list[Transition]:
    """Transitions the user may fire on the order now (state machine ∩ role ∩ the rules of its type)."""
    return [
        t
        for t in transitions_from(order.status)
        if user_may(user, t.code) and transition_refusal(order, t.code) is None
    ]


def open_statuses() -> list[str]:
    return [s for s in Status.values if s not in CLOSED_STATUSES]
