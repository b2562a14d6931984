"""Reads of work orders, always scoped to the units the user may see.

One filter function serves the console list and the API list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import NotFound
from powerdesk.org.models import User
from powerdesk.org.selectors import user_may, user_visible_unit_ids
from powerdesk.workorders.choices import CLOSED_STATUSES, Status
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from powerdesk.workorders.transitions import Transition, transitions_from


def order_visible(user: User) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.all()
    unit_ids = user_visible_unit_ids(user)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
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


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.BUSINESS_TZ)


def order_list(*, user: User, f: OrderFilter) -> QuerySet[WorkOrder]:
    qs = order_visible(user)
    if f.queue == "mine":
        qs = qs.filter(assignee=user) | qs.filter(owner=user, assignee__isnull=True)
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    elif f.queue == "unit":
        qs = qs.filter(unit_id=user.unit_id).exclude(status__in=CLOSED_STATUSES)
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.open_only:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    if f.business_type:
        qs = qs.filter(business_type=f.business_type)
    if f.topic:
        qs = qs.filter(topic__code=f.topic)
    if f.unit:
        qs = qs.filter(unit_id=f.unit)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.date_from:
        qs = qs.filter(created_at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(created_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.overdue:
        qs = qs.filter(due_at__lt=clock.now()).exclude(status__in=CLOSED_STATUSES)
    if f.flagged:
        qs = qs.filter(is_flagged=True)
    if f.q:
        term = f.q.strip()
        qs = qs.filter(number=term) if term.isdigit() else qs.filter(description__icontains=term)
    return qs.select_related("topic", "unit", "customer", "assignee", "sub_type").order_by("-created_at", "-id")


def order_get(*, user: User, number: str) -> WorkOrder:
    order = (
        order_visible(user)
        .select_related("topic", "unit", "customer", "customer__area", "area", "owner", "assignee", "parent", "sub_type")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise NotFound(_("找不到该工单。"))
    return order


def order_timeline(order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    return order.events.select_related("actor").order_by("at", "id")


def order_transitions_for(*, user: User, order: WorkOrder) -> list[Transition]:
    """Transitions the user may fire on the order now (state machine ∩ role)."""
    return [t for t in transitions_from(order.status) if user_may(user, t.code)]


def open_statuses() -> list[str]:
    return [s for s in Status.values if s not in CLOSED_STATUSES]
