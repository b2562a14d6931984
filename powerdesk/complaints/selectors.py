"""Reads of the complaint app, scoped through workorders' visibility: the record of an order, its
checklist with what the system can pre-fill, and the rectifications a user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

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
from powerdesk.outages import rules as outage_rules
from powerdesk.outages import selectors as outage_selectors
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import order_visible


def record_get(order: WorkOrder) -> ComplaintRecord | None:
    # The earlier complaint it repeats is joined in the order's company (the key of the orders on a
    # database sharded by company); a record repeating none is found all the same.
    in_company = Q(repeat_of__isnull=True) | Q(repeat_of__company_id=order.company_id)
    return (
        ComplaintRecord.objects.select_related(
            "severity", "staff", "team", "hall", "repeat_of", "original_sub_type"
        )
        .filter(in_company, order=order)
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
    note: str = ""  # what it was found, for the handler (the notices owed and when each was sent)


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
    the event within the period from the record's event time, whether a notice was sent and when from
    the outages app's records (the order's facts when no outage row exists)."""
    now = clock.now()
    repairs = _repairs(record)
    related = list(record.related_orders.all())
    out: list[PrefilledCriterion] = []
    for criterion in checklist.criteria.all():
        answer, basis, note = rules.UNKNOWN, "", ""
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
            answer, basis, note = _notice(order, record, params, now)
        out.append(PrefilledCriterion(criterion=criterion, answer=answer, basis=basis, note=note))
    return out


def _moment(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _notice(
    order: WorkOrder, record: ComplaintRecord, params: dict[str, Any], now: dt.datetime
) -> tuple[str, str, str]:
    """Whether the customer was told of the outage or disconnection the complaint is about as the
    outages app's notice rules ask, and when (answer, basis, note).

    1. the outage of a related order, else the one whose interruption of the customer covers the event
       time (the order's acceptance when none is recorded), of the kinds the criterion names: its
       ``OutageNotice`` rows say what was sent when (basis ``outage_notices``);
    2. without such an outage, a disconnection and its notices recorded in the order's facts
       (``disconnected_at``, ``notice_at``, ``final_notice_at``; basis ``order_facts``), judged by
       the same rules; a notice the facts do not mention leaves it unknown;
    3. for arrears, the days overdue (the facts' ``overdue_days``) against ``min_overdue_days``."""
    kinds = [str(k) for k in params.get("outage_kinds") or []]
    if not kinds:
        return rules.UNKNOWN, "", ""
    facts = order.facts or {}
    overdue = facts.get("overdue_days")
    minimum = params.get("min_overdue_days")
    figures = {
        "overdue_days": overdue if isinstance(overdue, int) else None,
        "min_overdue_days": int(minimum) if minimum is not None else None,
    }
    customer = order.customer
    related = list(record.related_orders.values_list("pk", flat=True))
    outage = outage_selectors.outage_about(
        customer_id=customer.pk if customer else None,
        at=record.event_at or order.created_at,
        order_ids=related,
        kinds=kinds,
    )
    finding = (
        outage_selectors.notice_finding(outage=outage, customer=customer, now=now)
        if outage is not None and customer is not None
        else None
    )
    if finding is not None:
        answer = rules.notice_improper(standing=finding.standing.status, **figures)
        return answer, "outage_notices", notice_note(finding.outage.number, finding.standing)
    disconnected = _moment(facts.get("disconnected_at"))
    notice = _moment(facts.get("notice_at"))
    if disconnected is None or notice is None:
        answer = rules.notice_improper(standing=rules.UNKNOWN, **figures)
        return answer, ("order_facts" if answer != rules.UNKNOWN else ""), ""
    standing = outage_selectors.notice_standing_on_facts(
        kind=kinds[0],
        customer=customer,
        start=disconnected,
        first_sent=notice,
        repeat_sent=_moment(facts.get("final_notice_at")),
        now=now,
    )
    status = rules.UNKNOWN if any(c.sent_at is None for c in standing.checks) else standing.status
    answer = rules.notice_improper(standing=status, **figures)
    return answer, ("order_facts" if answer != rules.UNKNOWN else ""), notice_note("", standing)


def notice_note(number: str, standing: outage_rules.NoticeStanding) -> str:
    """The notices owed and when each was sent, in the reader's language, for the handler to check."""
    parts = []
    for check in standing.checks:
        due = timezone.localtime(check.due.due_by).strftime("%Y-%m-%d %H:%M")
        if check.sent_at is None:
            sent = _("未发送")
        else:
            sent = _("%(at)s 发送") % {"at": timezone.localtime(check.sent_at).strftime("%Y-%m-%d %H:%M")}
        late = _("（滞后）") if check.late else ""
        parts.append(_("应于 %(due)s 前通知，%(sent)s%(late)s") % {"due": due, "sent": sent, "late": late})
    if not parts:
        parts.append(str(_("按停电通知规则无须通知")))
    text = "；".join(str(p) for p in parts)
    return _("停电 %(number)s：%(text)s") % {"number": number, "text": text} if number else text


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
