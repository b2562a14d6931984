"""A small crafted month for the quality view: staff A (east) and B (west), each measure's cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from powerdesk.complaints.models import (
    Checklist,
    ComplaintRecord,
    Judgment,
    PraiseCredit,
    Rectification,
    Verdict,
)
from powerdesk.core import clock
from powerdesk.feedback.models import QuestionSet, SurveyInvitation, SurveyResponse
from powerdesk.org.models import UnitHead
from powerdesk.sla.models import Clock, ClockState
from powerdesk.workorders.choices import BusinessType, Satisfaction
from powerdesk.workorders.models import WorkOrder
from tests.console.conftest import intake
from tests.factories import CustomerFactory, UserFactory

# Mid-March 2026 in Beijing: the default period is March.
NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=clock.BUSINESS_TZ)


@dataclass
class Month:
    a: Any
    b: Any
    repair_a: WorkOrder
    repair_b: WorkOrder
    east: Any
    west: Any


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def order_for(
    actor, customer, *, assignee, unit, contacts=1, satisfaction="", business_type=BusinessType.REPAIR, **kw
) -> WorkOrder:
    topic_code = {"complaint": "communication", "praise": "hall_service"}.get(business_type, "fault_repair")
    order = intake(
        actor,
        customer,
        business_type=business_type,
        topic_code=topic_code,
        force_new=True,
        override_reason="另一件事",
        **kw,
    )
    fields: dict[str, Any] = {"assignee": assignee, "unit": unit, "contact_count": contacts}
    if satisfaction:
        fields.update(satisfaction=satisfaction, called_back_at=clock.now())
    WorkOrder.objects.filter(pk=order.pk).update(**fields)
    order.refresh_from_db()
    return order


def judge(order: WorkOrder, verdict: str, *, staff, unit, actor) -> Judgment:
    record = ComplaintRecord.objects.get(order=order)
    record.verdict = verdict
    record.save(update_fields=["verdict"])
    return Judgment.objects.create(
        record=record,
        checklist=Checklist.objects.first(),
        verdict=verdict,
        responsible_unit=unit if verdict == Verdict.VALID else None,
        responsible_staff=staff if verdict == Verdict.VALID else None,
        actor=actor,
        at=clock.now(),
    )


def survey(order: WorkOrder, score: int) -> SurveyResponse:
    invitation = SurveyInvitation.objects.create(
        order=order,
        customer=order.customer,
        questions=QuestionSet.objects.first(),
        phone="13800000000",
        nonce=f"n{order.pk}",
        created_at=clock.now(),
        expires_at=clock.now() + dt.timedelta(days=3),
        used_at=clock.now(),
    )
    return SurveyResponse.objects.create(
        invitation=invitation, order=order, score=score, created_at=clock.now()
    )


@pytest.fixture
def month(frozen, county, users, customer, west_customer) -> Month:
    """Staff A (east repair) and B (west repair):

    * A: a valid complaint; a repair called twice, called back satisfied, its clocks met on time,
      survey score 5; an open rectification.
    * B: a complaint judged 不成立 against nobody; praised once; a repair called once, callback
      dissatisfied, its clocks breached, survey score 2.
    """
    a, b, agent = users["repair"], users["west_repair"], users["agent"]
    repair_a = order_for(
        agent, customer, assignee=a, unit=county.east, contacts=2, satisfaction=Satisfaction.SATISFIED
    )
    repair_b = order_for(
        agent,
        west_customer,
        assignee=b,
        unit=county.west,
        contacts=1,
        satisfaction=Satisfaction.DISSATISFIED,
    )
    Clock.objects.filter(order=repair_a).update(state=ClockState.MET, met_at=clock.now())
    Clock.objects.filter(order=repair_b).update(state=ClockState.BREACHED, breached_at=clock.now())
    survey(repair_a, 5)
    survey(repair_b, 2)
    valid = order_for(agent, customer, assignee=None, unit=county.east, business_type="complaint")
    judge(valid, Verdict.VALID, staff=a, unit=county.east, actor=users["manager"])
    invalid = order_for(agent, west_customer, assignee=None, unit=county.west, business_type="complaint")
    judge(invalid, Verdict.INVALID, staff=None, unit=None, actor=users["manager"])
    praise = order_for(agent, west_customer, assignee=None, unit=county.west, business_type="praise")
    PraiseCredit.objects.create(order=praise, staff=b, unit=county.west, updated_at=clock.now())
    Rectification.objects.create(
        order=valid,
        unit=county.east,
        owner=a,
        task="抢修人员服务用语培训",
        due_date=clock.local_date() + dt.timedelta(days=10),
        created_at=clock.now(),
    )
    return Month(a=a, b=b, repair_a=repair_a, repair_b=repair_b, east=county.east, west=county.west)


@pytest.fixture
def west_head(county):
    head = UserFactory.with_role("handler", county.west, username="west_head")
    UnitHead.objects.create(unit=county.west, user=head)
    return head


@pytest.fixture
def more_staff(frozen, county, users):
    """``more_staff(n)``: n more east repair staff, each with one order called back satisfied."""

    def make(n: int) -> None:
        start = UserFactory._meta.model.objects.count()
        for i in range(n):
            person = UserFactory.with_role("repair", county.east, username=f"extra-{start}-{i}")
            customer = CustomerFactory(area=county.east_area, phone=f"1390000{start + i:04d}")
            order_for(
                users["agent"],
                customer,
                assignee=person,
                unit=county.east,
                satisfaction=Satisfaction.SATISFIED,
            )

    return make
