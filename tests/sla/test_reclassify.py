"""重新分类: a changed business type or topic re-plans the order's clocks by the new classification."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from powerdesk.sla.models import ClockState
from powerdesk.sla.sweep import sweep
from powerdesk.workorders import services as s
from tests.factories import topic
from tests.sla.helpers import T0, intake, weekdays_after

pytestmark = pytest.mark.django_db


def _clocks(order):
    return {c.kind: c for c in order.clocks.all()}


def test_a_complaint_that_is_an_opinion_gets_the_opinions_limit_from_the_same_start(users, county, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="complaint", topic_code="communication")
    before = _clocks(order)
    assert before["reply"].due_at == weekdays_after(T0, 4)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        order = s.workorder_reclassify(
            order=order,
            actor=users["dispatcher"],
            business_type="opinion",
            topic=topic("communication"),
            reason="经核实属于意见建议，非供电企业责任",
        )
    after = _clocks(order)
    assert after["reply"].started_at == T0 and after["reply"].due_at == weekdays_after(T0, 9)
    assert after["reply"].policy_id != before["reply"].policy_id
    assert after["first_contact"].state == ClockState.CANCELLED  # complaints only
    order.refresh_from_db()
    assert order.due_at == after["reply"].due_at and order.business_type == "opinion"
    event = order.events.get(kind="reclassify")
    assert event.data["before"]["business_type"] == "complaint"
    assert {c["kind"]: c["to"] for c in event.data["clocks"]} == {
        "first_contact": "cancelled",
        "reply": "running",
    }


def test_a_consultation_that_is_a_complaint_starts_the_complaint_clocks_as_of_intake(users, county, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="consultation", topic_code="billing")
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        order = s.workorder_reclassify(
            order=order,
            actor=users["agent"],
            business_type="complaint",
            topic=topic("billing"),
            reason="客户明确投诉电费计算错误",
        )
    clocks = _clocks(order)
    assert clocks["first_contact"].started_at == T0
    assert clocks["first_contact"].due_at == T0 + dt.timedelta(hours=24)
    assert clocks["reply"].due_at == weekdays_after(T0, 4)


def test_a_breach_already_recorded_stays_when_the_limit_grows(users, county, customer, heads):
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="complaint", topic_code="communication")
    late = T0 + dt.timedelta(hours=25)
    sweep(now=late)
    assert _clocks(order)["first_contact"].state == ClockState.BREACHED
    with time_machine.travel(late, tick=False):
        order = s.workorder_reclassify(
            order=order,
            actor=users["dispatcher"],
            business_type="report",
            topic=topic("communication"),
            reason="客户反映的是工作人员违规收费",
        )
    clocks = _clocks(order)
    assert clocks["first_contact"].state == ClockState.CANCELLED  # a report has no first-contact limit
    assert clocks["reply"].breached_at is None and clocks["reply"].due_at == weekdays_after(T0, 9)
    assert order.events.filter(kind="sla_breach").count() == 1  # the breach stays in the history


def test_the_same_classification_again_is_refused_with_a_field_error(users, county, customer):
    order = intake(users, customer, business_type="repair")
    from powerdesk.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        s.workorder_reclassify(
            order=order, actor=users["agent"], business_type="repair", topic=order.topic, reason="重复"
        )
    assert "business_type" in exc.value.fields
