"""Reads of the complaint app, scoped through workorders' visibility: the record of an order, its
checklist with what the system can pre-fill, and the rectifications a user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from powerdesk.complaints import rules
from powerdesk.complaints.models import (
    Checklist,
    ComplaintRecord,
    Criterion,
    Judgment,
    Prefill,
    Rectification,
    RectificationState,
)
from powerdesk.complaints.services import checklist_of
from powerdesk.core import clock
from powerdesk.org.models import User
from powerdesk.org.selectors import visible_units_filter
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import order_visible


def record_get(order: WorkOrder) -> ComplaintRecord | None:
    return (
        ComplaintRecord.objects.select_related(
            "severity", "staff", "team", "hall", "repeat_of", "original_sub_type"
        )
        .filter(order=order)
        .first()
    )


def latest_judgment(record: ComplaintRecord) -> Judgment | None:
    return (
        record.judgments.select_related("checklist", "responsible_unit", "responsible_staff", "actor")
        .order_by("-at", "-id")
        .first()
    )


@dataclass
class PrefilledCriterion:
    criterion: Criterion
    answer: str  # yes / no / unknown, what the system found
    basis: str  # a code of what it was found from ("" when nothing)


def _repairs(record: ComplaintRecord) -> list[WorkOrder]:
    return [
        o
        for o in record.related_orders.select_related("area", "sub_type", "assignee").order_by("created_at")
        if o.business_type == BusinessType.REPAIR
    ]


def prefill(order: WorkOrder, record: ComplaintRecord, checklist: Checklist) -> list[PrefilledCriterion]:
    """Each criterion of ``checklist`` with what the system can answer for it (the handler may change
    it): our staff from the related order's handler (or a named outsourced crew), arrival against the
    limit from the related repair's acceptance and arrival, 产权分界 from the related repair's sub-type,
    the event within the period from the record's event time, a disconnection notice from the order's
    facts when they hold it."""
    now = clock.now()
    repairs = _repairs(record)
    related = list(record.related_orders.all())
    out: list[PrefilledCriterion] = []
    for criterion in checklist.criteria.all():
        answer, basis = rules.UNKNOWN, ""
        params: dict[str, Any] = criterion.params or {}
        if criterion.prefill == Prefill.OUR_STAFF:
            if record.staff_id is not None or (record.staff_name and record.outsourced):
                answer, basis = rules.YES, "record_staff"
            elif any(o.assignee_id is not None for o in related):
                answer, basis = rules.YES, "related_handler"
        elif criterion.prefill == Prefill.LATE_ARRIVAL and repairs:
            repair = repairs[0]
            region = repair.area.region_class if repair.area is not None else "urban"
            limit = params.get(region)
            answer = rules.late_arrival(
                accepted_at=repair.created_at, arrived_at=repair.arrived_at, limit_minutes=limit, now=now
            )
            basis = "related_arrival" if answer != rules.UNKNOWN else ""
        elif criterion.prefill == Prefill.COMPANY_SIDE and repairs and repairs[0].sub_type is not None:
            customer_side = set(params.get("customer_side_sub_types", ["repair_customer_side"]))
            answer = rules.company_side(
                customer_side_sub_types=customer_side, repair_sub_type=repairs[0].sub_type.code
            )
            basis = "related_sub_type"
        elif criterion.prefill == Prefill.WITHIN_PERIOD and "months" in params:
            answer = rules.within_months(event_at=record.event_at, now=now, months=int(params["months"]))
            basis = "event_at" if answer != rules.UNKNOWN else ""
        elif criterion.prefill == Prefill.NOTICE_SENT:
            answer, basis = _notice(order, params)
        out.append(PrefilledCriterion(criterion=criterion, answer=answer, basis=basis))
    return out


def _moment(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _notice(order: WorkOrder, params: dict[str, Any]) -> tuple[str, str]:
    """A disconnection or outage notice, when the order's facts record it (the outage app, once it
    exists, will say for itself)."""
    facts = order.facts or {}
    disconnected = _moment(facts.get("disconnected_at"))
    if disconnected is None:
        return rules.UNKNOWN, ""
    notice = _moment(facts.get("notice_at"))
    if "min_overdue_days" in params:
        residential = bool(order.customer and order.customer.customer_type.endswith("resident"))
        overdue = facts.get("overdue_days")
        answer = rules.arrears_notice_improper(
            disconnected_at=disconnected,
            overdue_days=int(overdue) if isinstance(overdue, int) else None,
            residential=residential,
            notice_at=notice,
            final_notice_at=_moment(facts.get("final_notice_at")),
            params=params,
        )
        return answer, "order_facts" if answer != rules.UNKNOWN else ""
    if "notice_days" in params and notice is not None:
        late = disconnected - notice < dt.timedelta(days=int(params["notice_days"]))
        return (rules.YES if late else rules.NO), "order_facts"
    return rules.UNKNOWN, ""


def judgment_form_data(
    order: WorkOrder,
) -> tuple[ComplaintRecord, Checklist | None, list[PrefilledCriterion]]:
    record = ComplaintRecord.objects.get(order=order)
    checklist = checklist_of(order, record)
    return record, checklist, prefill(order, record, checklist) if checklist is not None else []


def rectification_list(*, user: User, state: str = "") -> QuerySet[Rectification]:
    """The rectifications of the units the user sees (and those the user owns), soonest due first."""
    qs = Rectification.objects.select_related("order", "unit", "owner")
    visible = visible_units_filter(user, "unit_id")
    if visible is not None:
        qs = qs.filter(visible | _owned(user))
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("state", "due_date", "id")


def _owned(user: User) -> Any:
    from django.db.models import Q

    return Q(owner_id=user.pk)


def rectification_get(*, user: User, pk: int) -> Rectification | None:
    return rectification_list(user=user).filter(pk=pk).first()


def rectifications_of(order: WorkOrder) -> list[Rectification]:
    return list(order.rectifications.select_related("owner", "unit").order_by("due_date", "id"))


def visible_orders(user: User) -> QuerySet[WorkOrder]:
    return order_visible(user)


OPEN = RectificationState.OPEN
