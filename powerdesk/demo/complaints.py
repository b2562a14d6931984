"""The demo's complaints after the orders are replayed: each complaint that followed a repair names that
repair (its crew is the staff member complained about) and gets a severity; one open complaint is judged
成立 with an open rectification, one is left 待补证. Everything goes through the complaint services, as
a service manager would do it, at the demo's "now"."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from powerdesk.complaints import rules, services
from powerdesk.complaints.models import ComplaintRecord, Severity
from powerdesk.core import clock
from powerdesk.org.models import UnitHead, User
from powerdesk.workorders.models import WorkOrder


@transaction.atomic
def enrich_complaints(now: dt.datetime) -> int:
    """Fill in the demo's complaint records and judge two open complaints (those that followed a repair
    first); how many records were filled."""
    actor = User.objects.filter(role__code="manager", is_active=True).order_by("pk").first()
    general = Severity.objects.filter(code="general").first()
    if actor is None or general is None:
        return 0
    filled = 0
    with clock.at(now):
        records = ComplaintRecord.objects.select_related("order").order_by("order__created_at", "pk")
        named: list[WorkOrder] = []
        others: list[WorkOrder] = []
        for record in records:
            order = record.order
            number = (order.facts or {}).get("related_order")
            related = WorkOrder.objects.filter(number=number).first() if number else None
            if related is not None:
                services.complaint_record_update(
                    order=order,
                    actor=actor,
                    severity=general,
                    related_orders=[related],
                    event_at=related.arrived_at or related.created_at,
                )
                filled += 1
            if order.is_open and order.business_type == "complaint":
                (named if related is not None else others).append(order)
        judged = 0
        for order in named + others:
            checklist = services.checklist_of(order, ComplaintRecord.objects.get(order=order))
            if checklist is None:
                continue
            codes = [c.code for c in checklist.criteria.all()]
            if judged == 0:
                _judge_valid(order, actor, now, codes)
            else:
                answers = {code: rules.YES if i == 0 else rules.UNKNOWN for i, code in enumerate(codes)}
                services.complaint_judge(order=order, actor=actor, answers=answers, note="等待调取现场录音")
            judged += 1
            if judged == 2:
                break
    return filled


def _judge_valid(order: WorkOrder, actor: User, now: dt.datetime, codes: list[str]) -> None:
    head = UnitHead.objects.filter(unit_id=order.unit_id).select_related("user").first()
    services.complaint_judge(
        order=order,
        actor=actor,
        answers=dict.fromkeys(codes, rules.YES),
        note="经核实投诉属实",
        rectification_task="责任班组服务规范培训，并由单位负责人回访致歉",
        rectification_owner=head.user if head is not None else actor,
        rectification_due=clock.local_date(now) + dt.timedelta(days=14),
        rectification_learning=True,  # answered by the demo's learning assignment (demo/learning.py)
    )
