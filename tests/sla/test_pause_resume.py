"""挂起 with an accepted reason pauses the clocks; 恢复 pushes their due times by the paused span (in
working-day time for a limit in working days)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from powerdesk.sla.models import ClockState
from powerdesk.workorders import services as s
from tests.sla.helpers import T0, intake

pytestmark = pytest.mark.django_db


def _complaint_in_progress(users, county, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="complaint", topic_code="communication")
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
    return order


def test_an_accepted_reason_pauses_and_resume_pushes_the_due_time(users, county, customer):
    order = _complaint_in_progress(users, county, customer)
    reply = order.clocks.get(kind="reply")
    due_before = reply.due_at
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        order = s.workorder_suspend(
            order=order,
            actor=users["dispatcher"],
            reason="客户出差，约定下周再处理",
            reason_code="customer_postpone",
        )
    reply.refresh_from_db()
    assert reply.state == ClockState.PAUSED and reply.next_check_at is None
    with time_machine.travel(T0 + dt.timedelta(hours=1, days=2), tick=False):
        order = s.workorder_resume(order=order, actor=users["dispatcher"])
    reply.refresh_from_db()
    assert reply.state == ClockState.RUNNING
    # Two working days of pause push the 4-working-day reply (due Friday 20 November 10:00) two working
    # days on, over the weekend: Tuesday 24 November 10:00.
    assert due_before == dt.datetime(2026, 11, 20, 10, 0, tzinfo=T0.tzinfo)
    assert reply.due_at == dt.datetime(2026, 11, 24, 10, 0, tzinfo=T0.tzinfo)
    assert reply.paused_seconds == 4 * 86400
    assert order.due_at <= reply.due_at
    kinds = list(order.events.values_list("kind", "data"))
    suspend = next(d for k, d in kinds if k == "suspend")
    resume = next(d for k, d in kinds if k == "resume")
    assert suspend["clocks_paused"] is True and {c["to"] for c in suspend["clocks"]} == {"paused"}
    assert {c["to"] for c in resume["clocks"]} == {"running"}


def test_a_working_day_limit_is_pushed_by_the_working_time_the_pause_took(users, county, customer):
    # 12398's reply: 10 working days from Monday 16 November 10:00, due Monday 30 November 10:00.
    with time_machine.travel(T0, tick=False):
        order = intake(
            users, customer, business_type="complaint", topic_code="communication", channel="12398"
        )
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
    reply = order.clocks.get(kind="reply")
    assert reply.due_at == dt.datetime(2026, 11, 30, 10, 0, tzinfo=T0.tzinfo)
    friday_9 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=T0.tzinfo)
    with time_machine.travel(friday_9, tick=False):
        order = s.workorder_suspend(
            order=order, actor=users["dispatcher"], reason="客户外出", reason_code="customer_postpone"
        )
    with time_machine.travel(friday_9 + dt.timedelta(days=3), tick=False):  # Monday 09:00
        s.workorder_resume(order=order, actor=users["dispatcher"])
    reply.refresh_from_db()
    # The pause took one working day's time (Friday from 09:00, Monday to 09:00): the due time moves on
    # by one working day, not by the three days of the calendar.
    assert reply.due_at == dt.datetime(2026, 12, 1, 10, 0, tzinfo=T0.tzinfo)
    assert reply.paused_seconds == 86400


def test_a_reason_that_is_not_accepted_leaves_the_clocks_running(users, county, customer):
    order = _complaint_in_progress(users, county, customer)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        s.workorder_suspend(
            order=order, actor=users["dispatcher"], reason="等物资", reason_code="awaiting_materials"
        )
    assert set(order.clocks.values_list("state", flat=True)) == {ClockState.RUNNING}


def test_meeting_and_cancelling_clocks_follows_the_transitions(users, county, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="repair")
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
        order = s.workorder_take(order=order, actor=users["repair"])
    with time_machine.travel(T0 + dt.timedelta(minutes=40), tick=False):
        order = s.workorder_arrive(order=order, actor=users["repair"])
    arrival = order.clocks.get(kind="arrival")
    assert arrival.state == ClockState.MET and arrival.breached_at is None
    restoration = order.clocks.get(kind="restoration")
    assert restoration.started_at == T0 + dt.timedelta(minutes=40)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        order = s.workorder_resolve(order=order, actor=users["repair"], result="已复电")
        order = s.workorder_reply(order=order, actor=users["repair"], reply_text="已复电")
    assert order.clocks.get(kind="callback").state == ClockState.RUNNING
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        order = s.workorder_callback(order=order, actor=users["callback"], satisfaction="unreachable")
    assert order.clocks.get(kind="callback").state == ClockState.RUNNING  # the customer was not heard yet
    with time_machine.travel(T0 + dt.timedelta(hours=4), tick=False):
        order = s.workorder_callback(order=order, actor=users["callback"], satisfaction="satisfied")
    assert order.clocks.get(kind="callback").state == ClockState.MET
    assert order.due_at is None


def test_chasing_a_repair_order_twice_escalates_it_at_once(users, county, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="repair")
        order = s.workorder_chase(order=order, actor=users["agent"], note="客户催促")
        assert order.escalation_level == 0
        order = s.workorder_chase(order=order, actor=users["agent"], note="客户再次催促")
    assert order.chase_count == 2 and order.escalation_level == 1 and order.is_flagged
    last = order.events.order_by("-id").first()
    assert last.kind == "chase" and last.data["after"]["escalation_level"] == 1
