"""首次联系客户 is met only by contact: a call that reached the customer, or a visit; not by 接单."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from powerdesk.sla.models import ClockState, SlaPolicy
from powerdesk.workorders import services as s
from tests.sla.helpers import T0, intake

pytestmark = pytest.mark.django_db


def _taken_complaint(users, county, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="complaint", topic_code="communication")
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
        order = s.workorder_take(order=order, actor=users["handler"])
    return order


def test_taking_the_order_contacts_nobody_and_leaves_the_first_contact_clock_running(users, county, customer):
    order = _taken_complaint(users, county, customer)
    assert order.clocks.get(kind="first_contact").state == ClockState.RUNNING


def test_an_unreached_call_is_recorded_and_meets_nothing(users, county, customer):
    order = _taken_complaint(users, county, customer)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        order = s.workorder_call_out(
            order=order, actor=users["handler"], number="13812345678", note="无人接听"
        )
    assert order.clocks.get(kind="first_contact").state == ClockState.RUNNING
    event = order.events.get(kind="call_out")
    assert event.data["number"] == "13812345678" and event.data["reached"] is False
    assert event.note == "无人接听" and "clocks" not in event.data


def test_a_call_that_reached_the_customer_meets_the_first_contact_clock(users, county, customer):
    order = _taken_complaint(users, county, customer)
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        order = s.workorder_call_out(order=order, actor=users["handler"], number="13812345678", reached=True)
    clock = order.clocks.get(kind="first_contact")
    assert clock.state == ClockState.MET and clock.met_at == T0 + dt.timedelta(hours=3)
    assert order.clocks.get(kind="reply").state == ClockState.RUNNING  # contact is not the reply


def test_a_visit_meets_the_first_contact_clock_of_an_order_worked_on_site(users, county, customer):
    """An application or service request that a policy gives a first-contact limit: arriving on site
    is contact."""
    policy = SlaPolicy.objects.filter(clock_kind="first_contact").first()
    SlaPolicy.objects.create(
        name="测试：服务申请首次联系",
        clock_kind="first_contact",
        business_type="service_request",
        amount=24,
        unit="hours",
        stops_on=policy.stops_on,
        valid_from=policy.valid_from,
    )
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="service_request", topic_code="metering")
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
        order = s.workorder_take(order=order, actor=users["repair"])
        assert order.clocks.get(kind="first_contact").state == ClockState.RUNNING
        order = s.workorder_arrive(order=order, actor=users["repair"])
    assert order.clocks.get(kind="first_contact").state == ClockState.MET


def test_each_seeded_clock_is_met_only_by_what_it_promises():
    """The events that meet each clock are data; for the seeded policies, each stop is an action that does
    what the clock's name says."""
    honest = {
        "first_contact": {"contact_reached", "arrive"},
        "dispatch": {"dispatch"},
        "arrival": {"arrive"},
        "restoration": {"resolve"},
        "reply": {"reply", "answer"},
        "callback": {"callback"},
        # the applications' clocks are met by their step services, never by an order transition
        "app_step": set(),
        "app_process": set(),
    }
    for policy in SlaPolicy.objects.all():
        assert set(policy.stops_on) <= honest[policy.clock_kind], (policy.name, policy.stops_on)
