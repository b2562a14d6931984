"""The sweep warns before a limit, records the breach at it, escalates after it — once each."""

from __future__ import annotations

import datetime as dt
import re
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from powerdesk.core import refcache
from powerdesk.notify.models import Notification
from powerdesk.notify.services import notification_send
from powerdesk.sla.models import Clock, ClockState, SlaPolicy
from powerdesk.sla.sweep import due_clocks, lock_orders, read_clocks, sweep
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import Priority
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.timeline import present
from tests.sla.helpers import T0, dispatched_repair, many_dispatched_repairs, more_repairs

# The sweep's notifications go to staff; the orders' customer messages (powerdesk.notify) are not its.
STAFF = Notification.objects.filter(recipient_user__isnull=False)

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings, tmp_path):
    settings.POWERDESK_NOTIFY_OUTBOX = tmp_path
    settings.POWERDESK_NOTIFY_TRANSPORT_SMS = "console"
    return tmp_path


def _events(order, kind):
    return list(order.events.filter(kind=kind))


def test_it_warns_at_80_percent_breaches_at_the_deadline_and_escalates_at_150(users, county, customer, heads):
    order = dispatched_repair(users, county, customer)  # urban arrival: 45 minutes
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
    sent = Notification.objects.filter(order=order, recipient_user__isnull=False).order_by("id")
    assert [(n.template.code, n.recipient_address) for n in sent] == [
        ("sla_warning", "13600000000"),
        ("sla_breached", "13600000000"),
        ("sla_escalated_unit_head", "13700000001"),
        ("sla_escalated", "13700000002"),
    ]
    assert Clock.objects.get(pk=clock.pk).next_check_at is None


def test_a_second_sweep_at_the_same_moment_does_nothing(users, county, customer, heads):
    order = dispatched_repair(users, county, customer)
    first = sweep(now=T0 + dt.timedelta(minutes=50))
    again = sweep(now=T0 + dt.timedelta(minutes=50))
    assert first.steps_taken == 3 and again.steps_taken == 0
    assert order.events.filter(kind__startswith="sla_").count() == 3
    assert Notification.objects.filter(order=order, recipient_user__isnull=False).count() == 3


def test_after_downtime_every_step_due_is_taken_in_one_cycle(users, county, customer, heads):
    order = dispatched_repair(users, county, customer)
    r = sweep(now=T0 + dt.timedelta(hours=3))
    assert r.steps_taken == 4
    assert list(order.events.filter(kind__startswith="sla_").values_list("kind", flat=True)) == [
        "sla_warning",
        "sla_breach",
        "sla_escalation",
        "sla_escalation",
    ]


def test_a_clock_met_in_time_is_never_warned(users, county, customer, heads):
    order = dispatched_repair(users, county, customer)
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        order = s.workorder_take(order=order, actor=users["repair"])
        order = s.workorder_arrive(order=order, actor=users["repair"])
    sweep(now=T0 + dt.timedelta(minutes=50))
    assert not order.events.filter(kind__in=["sla_warning", "sla_breach"]).exists()


def test_a_paused_clock_is_not_swept_until_resumed(users, county, customer, heads):
    order = dispatched_repair(users, county, customer)
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


def _shape_like_production(order):
    """20,000 more clocks of ``order``: three in four closed (no next check), the running ones hours away
    from their next step; analysed, so the planner sees (almost) no clock due."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO sla_clock (order_id, policy_id, kind, state, started_at, due_at, allowed_seconds,"
            " paused_seconds, level, next_check_at)"
            " SELECT order_id, policy_id, kind, CASE WHEN g %% 4 = 0 THEN 'running' ELSE 'met' END,"
            " started_at, due_at, allowed_seconds, 0, 0,"
            " CASE WHEN g %% 4 = 0 THEN now() + interval '5 hours' + g * interval '1 second' END"
            " FROM sla_clock, generate_series(1, 20000) g WHERE order_id = %s AND kind = 'arrival'",
            [order.pk],
        )
        cur.execute("ANALYZE sla_clock")


def _many_orders_like(order, count: int) -> None:
    """``count`` copies of ``order`` (numbers of their own) in the same company, and the table analysed."""
    columns = [f.column for f in WorkOrder._meta.concrete_fields if f.column not in ("id", "number")]
    listed = ", ".join(columns)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO workorders_workorder (number, {listed})"
            f" SELECT 'S' || lpad(g::text, 13, '0'), {listed}"
            " FROM workorders_workorder, generate_series(1, %s) g WHERE id = %s",
            [count, order.pk],
        )
        cur.execute("ANALYZE workorders_workorder")


def test_the_due_query_reads_the_partial_index_not_the_open_orders(users, county, customer):
    """The plan of the sweep's own query on a table shaped like production: most clocks closed (no next
    check), the running ones hours away from their next step, a few due."""
    order = dispatched_repair(users, county, customer)
    _shape_like_production(order)
    plan = due_clocks(order.company_id, T0 + dt.timedelta(minutes=40), 1000).explain()
    assert "Index Scan using clock_company_next_check on sla_clock" in plan, plan
    assert "Seq Scan" not in plan and "Sort" not in plan, plan


def test_the_claim_reaches_the_orders_and_clocks_by_primary_key(users, county, customer):
    """Locking a thousand due clocks' orders and clocks must not depend on the planner's guess of how many
    are due (on production statistics it guesses one): each reaches its rows by id through an index, and
    none walks the due-time index (a backlog of due clocks would be read whole for each of them)."""
    order = dispatched_repair(users, county, customer)
    _shape_like_production(order)
    clock_ids = list(Clock.objects.filter(order=order).values_list("pk", flat=True)[:1000])
    plan = read_clocks(order.company_id, clock_ids).explain()
    assert "Index Cond: (id = ANY" in plan, plan
    assert "Seq Scan" not in plan and "clock_company_next_check" not in plan, plan
    # A thousand ids among the test's few hundred orders would be all of them to the planner (which then
    # rightly reads the company's whole index, and on a server without autovacuum has no statistics
    # at all); production holds millions. So the orders table gets the company's 20,000 more orders,
    # analysed, as the clocks got theirs.
    _many_orders_like(order, 20_000)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        plan = lock_orders(order.company_id, {order.pk, *range(10**9, 10**9 + 999)}).explain()
    # The ids reach the rows through an index (with the company beside them), never the due-time index.
    assert re.search(r"Index Cond: \(.*\bid = ANY", plan), plan
    assert "clock_company_next_check" not in plan, plan


def test_the_sweep_sends_the_same_statements_for_one_due_clock_as_for_many(users, county, customer, heads):
    first = dispatched_repair(users, county, customer)
    with CaptureQueriesContext(connection) as one:
        assert sweep(now=T0 + dt.timedelta(minutes=36)).steps_taken == 1
    more_repairs(users, first.topic, 5)
    with CaptureQueriesContext(connection) as many:
        assert sweep(now=T0 + dt.timedelta(hours=3)).steps_taken == 3 + 5 * 4
    # (the first sweep also fills the per-process cache of policies)
    assert len(many) <= len(one) <= 20
    with CaptureQueriesContext(connection) as idle:
        assert sweep(now=T0 + dt.timedelta(hours=3)).steps_taken == 0
    assert len(idle) <= 4  # the companies; per company: savepoint, the due query, release


def breach_policy(order):
    return order.clocks.get(kind="arrival").policy


def test_a_step_stores_what_its_notification_says_and_the_order_it_changed(
    users, county, customer, heads, outbox
):
    users["repair"].full_name = "王处理"
    users["repair"].save()
    order = dispatched_repair(users, county, customer)
    r = sweep(now=T0 + dt.timedelta(minutes=46))
    assert (r.examined, r.steps_taken, r.breached, r.notifications) == (1, 3, 1, 3)
    order.refresh_from_db()
    assert order.escalation_level == 1 and order.version == 3  # intake, dispatch, one sweep
    breach = Notification.objects.get(dedupe_key=f"clock:{order.clocks.get(kind='arrival').pk}:step:2")
    assert breach.context == {
        "order_number": order.number,
        "clock": "到达现场",
        "policy": "抢修到达现场（城区）",
        "due_at": "2026-11-16 10:45",
        "unit": "东桥供电所",
        "recipient": "王处理",
        "business_type": "故障报修",
    }
    assert breach.channel == "sms" and breach.recipient_user == users["repair"] and breach.order == order
    text = notification_send(notification_id=breach.pk).text
    assert "王处理" in text and order.number in text and "2026-11-16 10:45" in text
    [event] = order.events.filter(kind="sla_breach")
    # codes, not sentences: the timeline says which clock and policy when it is read
    assert event.note == "" and event.actor is None and event.data["policy"] == breach_policy(order).pk
    [presented] = present([event], sees_personal_data=True)
    assert presented.note == "到达现场：抢修到达现场（城区）"
    assert event.data["before"] == {"priority": Priority.NORMAL, "clock_state": "running", "level": 1}
    assert event.data["after"] == {"priority": Priority.NORMAL, "clock_state": "breached", "level": 2}
    assert dt.datetime.fromisoformat(event.data["due_at"]) == T0 + dt.timedelta(minutes=45)
    [escalation] = order.events.filter(kind="sla_escalation")
    assert escalation.data["before"]["priority"] == Priority.NORMAL
    assert escalation.data["after"] == {"priority": Priority.HIGH, "clock_state": "breached", "level": 3}


def test_the_warning_comes_at_the_warn_ratio_of_the_clocks_policy(users, county, customer, heads):
    order = dispatched_repair(users, county, customer)
    clock = order.clocks.get(kind="arrival")
    SlaPolicy.objects.filter(pk=clock.policy_id).update(warn_ratio=Decimal("0.50"))
    refcache.clear()  # an update() sends no save signal; an administrator's save in the admin does
    # next_check_at was stored at intake with the old ratio (36 min): the step itself is re-computed under
    # the lock, so nothing is taken before 50 % ...
    assert sweep(now=T0 + dt.timedelta(minutes=22)).steps_taken == 0
    Clock.objects.filter(pk=clock.pk).update(next_check_at=T0 + dt.timedelta(minutes=22, seconds=30))
    assert sweep(now=T0 + dt.timedelta(minutes=22)).steps_taken == 0
    # ... and the warning at 22.5 of 45 minutes.
    assert sweep(now=T0 + dt.timedelta(minutes=23)).steps_taken == 1
    assert Clock.objects.get(pk=clock.pk).next_check_at == T0 + dt.timedelta(minutes=45)


def test_a_clock_no_longer_running_is_dropped_from_the_sweep_without_a_step(users, county, customer, heads):
    order = dispatched_repair(users, county, customer)
    clock = order.clocks.get(kind="arrival")
    # e.g. a clock closed by code that forgot its next check: the sweep must not warn, only forget it
    Clock.objects.filter(pk=clock.pk).update(state=ClockState.MET, met_at=T0 + dt.timedelta(minutes=5))
    r = sweep(now=T0 + dt.timedelta(hours=3))
    assert r.examined >= 1
    assert not order.events.filter(kind__startswith="sla_", data__clock="arrival").exists()
    assert Clock.objects.get(pk=clock.pk).next_check_at is None


def test_two_clocks_of_one_order_raise_its_priority_one_after_the_other(users, county, customer, heads):
    order = dispatched_repair(users, county, customer)
    arrival = order.clocks.get(kind="arrival")
    Clock.objects.create(
        order=order,
        policy=arrival.policy,
        kind="restoration",
        started_at=arrival.started_at,
        due_at=arrival.due_at,
        allowed_seconds=arrival.allowed_seconds,
        next_check_at=arrival.next_check_at,
    )
    assert sweep(now=T0 + dt.timedelta(hours=3)).steps_taken == 8
    order.refresh_from_db()
    assert order.priority == Priority.URGENT and order.escalation_level == 4 and order.is_flagged
    escalations = order.events.filter(kind="sla_escalation").order_by("id")
    raised = [e.data for e in escalations if e.data["step"] == 3]
    assert [(d["clock"], d["before"]["priority"], d["after"]["priority"]) for d in raised] == [
        ("arrival", Priority.NORMAL, Priority.HIGH),
        ("restoration", Priority.HIGH, Priority.URGENT),
    ]


def test_priority_rises_to_urgent_and_no_further(users, county, customer, heads):
    order = dispatched_repair(users, county, customer)
    WorkOrder.objects.filter(pk=order.pk).update(priority=Priority.URGENT)
    sweep(now=T0 + dt.timedelta(hours=3))
    order.refresh_from_db()
    assert order.priority == Priority.URGENT and order.escalation_level == 2


def test_a_step_whose_recipient_has_no_address_is_recorded_without_a_notification(users, county, customer):
    order = dispatched_repair(users, county, customer)  # no unit heads: steps 3 and 4 reach nobody
    r = sweep(now=T0 + dt.timedelta(hours=3))
    assert r.steps_taken == 4 and r.notifications == 2
    notified = [e.data["notified"] for e in order.events.filter(kind__startswith="sla_").order_by("id")]
    assert notified == [True, True, False, False]


def test_a_rolled_back_sweep_leaves_no_step_behind(users, county, customer, heads):
    order = dispatched_repair(users, county, customer)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        assert sweep(now=T0 + dt.timedelta(minutes=50)).steps_taken == 3
        raise Rollback
    assert not order.events.filter(kind__startswith="sla_").exists()
    assert not Notification.objects.filter(order=order, recipient_user__isnull=False).exists()
    assert sweep(now=T0 + dt.timedelta(minutes=50)).steps_taken == 3


@pytest.mark.django_db(transaction=True)
def test_an_order_someone_is_changing_is_left_for_the_next_cycle(users, county, customer, heads):
    order = dispatched_repair(users, county, customer)
    locked, release = threading.Event(), threading.Event()

    def hold_the_order():
        try:
            with transaction.atomic():
                WorkOrder.objects.select_for_update().get(pk=order.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_order)
    holder.start()
    try:
        assert locked.wait(10)
        r = sweep(now=T0 + dt.timedelta(minutes=50))
        assert (r.skipped_locked, r.examined, r.steps_taken) == (1, 0, 0)
    finally:
        release.set()
        holder.join(timeout=30)
    assert sweep(now=T0 + dt.timedelta(minutes=50)).steps_taken == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_escalate_once(users, county, customer, heads):
    orders = many_dispatched_repairs(users, county, customer, 6)  # clocks to share between two sweeps
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(sweep(now=T0 + dt.timedelta(hours=3)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 2
    assert sum(r.steps_taken for r in results) <= 4 * len(orders)
    # Whatever one sweep skipped because the other held the order, a later cycle completes — exactly once.
    sweep(now=T0 + dt.timedelta(hours=3))
    for order in WorkOrder.objects.filter(pk__in=[o.pk for o in orders]):
        kinds = list(order.events.filter(kind__startswith="sla_").values_list("kind", flat=True))
        assert kinds.count("sla_warning") == 1 and kinds.count("sla_breach") == 1
        assert kinds.count("sla_escalation") == 2
    keys = list(STAFF.filter(order__in=orders).values_list("dedupe_key", flat=True))
    notified = [e.data["notified"] for o in orders for e in o.events.filter(kind__startswith="sla_")]
    assert len(keys) == len(set(keys)) == notified.count(True) > 0
