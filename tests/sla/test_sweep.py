"""The sweep warns before a limit, records the breach at it, escalates after it — once each."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections

from powerdesk.notify.models import Notification
from powerdesk.sla.models import Clock, ClockState, UnitHead
from powerdesk.sla.sweep import sweep
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import Priority
from powerdesk.workorders.models import WorkOrder
from tests.factories import UserFactory
from tests.sla.helpers import T0, intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def heads(county):
    east_head = UserFactory.with_role("manager", county.east, username="east_head", phone="13700000001")
    county_head = UserFactory.with_role("manager", county.county, username="county_head", phone="13700000002")
    UnitHead.objects.create(unit=county.east, user=east_head)
    UnitHead.objects.create(unit=county.county, user=county_head)
    return east_head, county_head


def _dispatched_repair(users, county, customer):
    users["repair"].phone = "13600000000"
    users["repair"].save()
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="repair")
        order = s.workorder_dispatch(
            order=order, actor=users["dispatcher"], unit=county.east, assignee=users["repair"]
        )
    return order


def _events(order, kind):
    return list(order.events.filter(kind=kind))


def test_it_warns_at_80_percent_breaches_at_the_deadline_and_escalates_at_150(users, county, customer, heads):
    order = _dispatched_repair(users, county, customer)  # urban arrival: 45 minutes
    assert sweep(now=T0 + dt.timedelta(minutes=35)).steps_taken == 0

    r = sweep(now=T0 + dt.timedelta(minutes=36))
    assert r.steps_taken == 1 and r.breached == 0
    warning = _events(order, "sla_warning")
    assert len(warning) == 1 and warning[0].data["recipient"] == "repair" and warning[0].data["notified"]

    r = sweep(now=T0 + dt.timedelta(minutes=45))
    assert r.breached == 1 and r.steps_taken == 2
    order.refresh_from_db()
    clock = order.clocks.get(kind="arrival")
    assert clock.state == ClockState.BREACHED and clock.breached_at == T0 + dt.timedelta(minutes=45)
    assert order.priority == Priority.HIGH and order.is_flagged
    assert _events(order, "sla_breach")[0].data["recipient"] == "repair"
    assert [e.data["recipient"] for e in _events(order, "sla_escalation")] == ["east_head"]

    sweep(now=T0 + dt.timedelta(minutes=68))
    escalation = _events(order, "sla_escalation")
    assert [e.data["recipient"] for e in escalation] == ["east_head", "county_head"]
    sent = Notification.objects.filter(order=order).order_by("id")
    assert [(n.template.code, n.recipient_address) for n in sent] == [
        ("sla_warning", "13600000000"),
        ("sla_breached", "13600000000"),
        ("sla_escalated_unit_head", "13700000001"),
        ("sla_escalated", "13700000002"),
    ]
    assert Clock.objects.get(pk=clock.pk).next_check_at is None


def test_a_second_sweep_at_the_same_moment_does_nothing(users, county, customer, heads):
    order = _dispatched_repair(users, county, customer)
    first = sweep(now=T0 + dt.timedelta(minutes=50))
    again = sweep(now=T0 + dt.timedelta(minutes=50))
    assert first.steps_taken == 3 and again.steps_taken == 0
    assert order.events.filter(kind__startswith="sla_").count() == 3
    assert Notification.objects.filter(order=order).count() == 3


def test_after_downtime_every_step_due_is_taken_in_one_cycle(users, county, customer, heads):
    order = _dispatched_repair(users, county, customer)
    r = sweep(now=T0 + dt.timedelta(hours=3))
    assert r.steps_taken == 4
    assert list(order.events.filter(kind__startswith="sla_").values_list("kind", flat=True)) == [
        "sla_warning",
        "sla_breach",
        "sla_escalation",
        "sla_escalation",
    ]


def test_a_clock_met_in_time_is_never_warned(users, county, customer, heads):
    order = _dispatched_repair(users, county, customer)
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        order = s.workorder_take(order=order, actor=users["repair"])
        order = s.workorder_arrive(order=order, actor=users["repair"])
    sweep(now=T0 + dt.timedelta(minutes=50))
    assert not order.events.filter(kind__in=["sla_warning", "sla_breach"]).exists()


def test_a_paused_clock_is_not_swept_until_resumed(users, county, customer, heads):
    order = _dispatched_repair(users, county, customer)
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        order = s.workorder_suspend(
            order=order, actor=users["dispatcher"], reason="客户要求明天再来", reason_code="customer_postpone"
        )
    assert sweep(now=T0 + dt.timedelta(hours=5)).steps_taken == 0
    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        s.workorder_resume(order=order, actor=users["dispatcher"])
    # 35 minutes were left: the warning comes 26 minutes after resuming, not before.
    assert sweep(now=T0 + dt.timedelta(hours=5, minutes=25)).steps_taken == 0
    assert sweep(now=T0 + dt.timedelta(hours=5, minutes=27)).steps_taken == 1


def test_the_due_query_can_use_the_partial_index():
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(
            "EXPLAIN SELECT id, order_id FROM sla_clock WHERE next_check_at IS NOT NULL "
            "AND next_check_at <= now() ORDER BY next_check_at LIMIT 1000"
        )
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "clock_next_check" in plan


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_escalate_once(users, county, customer, heads):
    orders = [_dispatched_repair(users, county, customer)]
    for i in range(5):  # more clocks to share between the two sweeps
        with time_machine.travel(T0, tick=False):
            orders.append(
                s.workorder_intake(
                    actor=users["agent"],
                    business_type="repair",
                    topic=orders[0].topic,
                    channel="95598",
                    description=f"另一处停电{i}",
                    caller_phone=f"1350000000{i}",
                    address=f"和平路{i}号",
                    force_new=True,
                    override_reason="不同地点",
                ).order
            )
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(sweep(now=T0 + dt.timedelta(hours=3)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2
    assert sum(r.steps_taken for r in results) <= 4 * len(orders)
    # Whatever one sweep skipped because the other held the order, a later cycle completes — exactly once.
    sweep(now=T0 + dt.timedelta(hours=3))
    for order in WorkOrder.objects.filter(pk__in=[o.pk for o in orders]):
        kinds = list(order.events.filter(kind__startswith="sla_").values_list("kind", flat=True))
        assert kinds.count("sla_warning") == 1 and kinds.count("sla_breach") == 1
        assert kinds.count("sla_escalation") == 2
