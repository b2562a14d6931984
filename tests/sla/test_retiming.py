"""A calendar change re-times the clocks that counted on the old days: due times are stored at intake, so
a year derived from the holiday rule, or its arrangement imported, moves the clocks already running."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import OperationalError, connection, transaction
from django.utils import translation

from powerdesk.core import services as calendar
from powerdesk.core import workdays
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.core.models import CalendarDay, HolidayRule
from powerdesk.sla import retiming
from powerdesk.sla.models import ClockState
from powerdesk.sla.sweep import sweep
from powerdesk.workorders import services as s
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.timeline import present
from tests.sla.helpers import intake

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=BUSINESS_TZ)


def moment(iso):
    return dt.datetime.fromisoformat(iso)


def sync(when):
    with time_machine.travel(when, tick=False):
        return calendar.calendar_sync()


def taken(users, customer, business_type, when):
    with time_machine.travel(when, tick=False):
        return intake(users, customer, business_type=business_type, topic_code="communication")


def reply(order):
    return order.clocks.get(kind="reply")


def retimed_events(order):
    return list(order.events.filter(kind="sla_retimed"))


def import_2027(*bridging_workdays, when=at(2027, 2, 1)):
    days = [
        CalendarDay(date=d.date, is_workday=d.is_workday or d.date in bridging_workdays, name=d.name)
        for d in calendar.derived_days(2027, HolidayRule.objects.all())
    ]
    with time_machine.travel(when, tick=False):
        return calendar.calendar_import(days_by_year={2027: days}, source="import:2027.csv")


def test_the_sla_app_retimes_the_clocks_when_the_calendar_changes():
    assert workdays.calendar_changed.get("sla.retime_clocks") is retiming.on_calendar_changed
    assert "sla" in workdays.calendar_changed.owners()


def test_a_report_taken_on_21_december_2026_is_due_after_new_year_once_2027_is_derived(users, customer):
    order = taken(users, customer, "report", at(2026, 12, 21))  # 举报: 9 working days
    assert reply(order).due_at == at(2027, 1, 1)  # 2027 unknown: Monday to Friday, 1 January counted
    assert sync(at(2026, 12, 22)).reasons == {2027: "derived"}
    clock = reply(order)
    assert clock.due_at == at(2027, 1, 4) and clock.state == ClockState.RUNNING
    assert clock.allowed_seconds == 14 * 86400
    order.refresh_from_db()
    assert order.due_at == at(2027, 1, 4)
    [event] = retimed_events(order)
    assert event.actor_id is None and event.from_status == event.to_status == order.status
    assert event.data["calendar"] == [{"year": 2027, "reason": "derived"}]
    [change] = event.data["retimed"]
    assert (change["kind"], change["policy"]) == ("reply", clock.policy_id)
    assert moment(change["due_before"]) == at(2027, 1, 1) and moment(change["due_after"]) == at(2027, 1, 4)


def test_a_clock_started_after_the_derivation_skips_1_january_2027(users, customer):
    sync(at(2026, 12, 1))
    order = taken(users, customer, "complaint", at(2026, 12, 30))  # 4 working days
    assert reply(order).due_at == at(2027, 1, 6)  # 31 Dec, 4, 5, 6 Jan


def test_only_clocks_counted_in_working_days_move(users, customer):
    order = taken(users, customer, "complaint", at(2026, 12, 31))
    contact = order.clocks.get(kind="first_contact")  # 24 hours
    assert (contact.due_at, reply(order).due_at) == (at(2027, 1, 1), at(2027, 1, 6))
    sync(at(2026, 12, 31, 11))
    assert order.clocks.get(kind="first_contact").due_at == at(2027, 1, 1)
    assert reply(order).due_at == at(2027, 1, 7)
    [event] = retimed_events(order)
    assert [c["kind"] for c in event.data["retimed"]] == ["reply"]


def test_importing_an_arrangement_with_a_bridging_saturday_moves_a_running_clock_earlier(users, customer):
    sync(at(2026, 12, 1))
    order = taken(users, customer, "complaint", at(2027, 2, 4))
    assert reply(order).due_at == at(2027, 2, 16)  # 5–10 Feb off: 11, 12, 15, 16
    change = import_2027(dt.date(2027, 2, 13), when=at(2027, 2, 5))
    assert change.reasons == {2027: "imported"}
    assert reply(order).due_at == at(2027, 2, 15)  # 11, 12, 13 (调休 Saturday), 15
    [event] = retimed_events(order)
    assert event.data["calendar"] == [{"year": 2027, "reason": "imported"}]
    [change] = event.data["retimed"]
    assert (moment(change["due_before"]), moment(change["due_after"])) == (at(2027, 2, 16), at(2027, 2, 15))
    order.refresh_from_db()
    assert order.due_at == at(2027, 2, 5)  # the first contact's 24 hours still come first


def test_an_import_that_moves_no_due_time_writes_nothing_on_the_order(users, customer):
    sync(at(2026, 12, 1))
    order = taken(users, customer, "complaint", at(2027, 3, 1))
    import_2027(dt.date(2027, 2, 13))
    assert reply(order).due_at == at(2027, 3, 5) and retimed_events(order) == []


def test_a_warning_already_sent_is_not_sent_again_when_the_due_time_moves(users, customer):
    order = taken(users, customer, "report", at(2026, 12, 21))
    sweep(now=at(2026, 12, 30))  # 80 % of 11 days: warned on 29 December
    assert reply(order).level == 1
    sync(at(2026, 12, 30, 12))
    clock = reply(order)
    assert (clock.due_at, clock.level, clock.state) == (at(2027, 1, 4), 1, ClockState.RUNNING)
    assert clock.next_check_at == at(2027, 1, 4)  # the next step is the deadline's
    sweep(now=at(2027, 1, 2))  # past the new warning time: taken already
    assert order.events.filter(kind="sla_warning").count() == 1
    sweep(now=at(2027, 1, 4, 10, 1))
    clock = reply(order)
    assert clock.state == ClockState.BREACHED and clock.breached_at == at(2027, 1, 4)


def test_a_clock_already_breached_keeps_its_breach(users, customer):
    order = taken(users, customer, "report", at(2026, 12, 21))
    sweep(now=at(2027, 1, 1, 11))
    breached = reply(order)
    assert breached.breached_at == at(2027, 1, 1)
    sync(at(2027, 1, 1, 12))  # derived only now: too late for this clock
    clock = reply(order)
    assert (clock.due_at, clock.breached_at, clock.state) == (at(2027, 1, 1), at(2027, 1, 1), "breached")
    assert retimed_events(order) == []


def test_a_paused_clock_is_retimed_and_its_paused_time_still_counts(users, county, customer):
    order = taken(users, customer, "report", at(2026, 12, 21))
    with time_machine.travel(at(2026, 12, 22), tick=False):
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
        order = s.workorder_suspend(
            order=order, actor=users["dispatcher"], reason="客户要求延期", reason_code="customer_postpone"
        )
    sync(at(2026, 12, 23))
    clock = reply(order)
    assert (clock.state, clock.due_at, clock.next_check_at) == (ClockState.PAUSED, at(2027, 1, 4), None)
    with time_machine.travel(at(2026, 12, 24), tick=False):
        s.workorder_resume(order=WorkOrder.objects.get(pk=order.pk), actor=users["dispatcher"])
    assert reply(order).due_at == at(2027, 1, 6)  # two days paused


def test_the_timeline_tells_the_old_and_new_due_time_and_why_in_the_readers_language(users, customer):
    order = taken(users, customer, "report", at(2026, 12, 21))
    sync(at(2026, 12, 22))
    [item] = present(retimed_events(order), sees_personal_data=True)
    assert item.label == "节假日日历变更，时限重新计算"
    assert item.lines == ["2027 年日历：已按法定节假日规则推算，调休安排尚未导入"]
    assert [(c.label, c.before, c.after) for c in item.changes] == [
        ("时限「办结回复」到期", "2027-01-01 10:00", "2027-01-04 10:00")
    ]
    with translation.override("en"):
        [english] = present(retimed_events(order), sees_personal_data=True)
        assert english.lines == [
            "Calendar of 2027: statutory holidays derived, bridging days not yet imported"
        ]
        assert english.changes[0].label.startswith("Time limit")


@pytest.mark.django_db(transaction=True)
def test_the_retiming_waits_for_the_lock_of_an_order_someone_holds(users, customer):
    """Whoever moves a clock holds its order's row lock first (a transition, the sweep): the re-timing
    waits for it, so the two never both move one clock."""
    order = taken(users, customer, "report", at(2026, 12, 21))
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                WorkOrder.objects.select_for_update().get(pk=order.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '200ms'")
            sync(at(2026, 12, 22))
    finally:
        release.set()
        holder.join()
    assert reply(order).due_at == at(2027, 1, 1)  # rolled back with the calendar
    assert workdays.year_status(2027) == "missing"
    sync(at(2026, 12, 22))
    assert reply(order).due_at == at(2027, 1, 4)
