"""The order page's time limits: every clock with its policy row, a live countdown and its state's colour."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.urls import reverse

from powerdesk.core import refcache
from powerdesk.sla.models import SlaPolicy
from powerdesk.sla.sweep import sweep
from powerdesk.workorders import services as s
from tests.console.conftest import intake
from tests.factories import UserFactory
from tests.sla.helpers import T0  # Monday 2026-11-16 10:00, no holiday in the weeks after


def page(client, order) -> str:
    return client.get(reverse("workorders:detail", args=[order.number])).content.decode()


def clock_items(body: str) -> list[str]:
    return re.findall(r'<li class="clock clock-[a-z]+">.*?</li>', body, flags=re.S)


def test_each_clock_shows_its_policy_row_and_a_live_countdown(login, users, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users["agent"], customer)
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        body = page(login(users["agent"]), order)
    [item] = clock_items(body)
    assert "到达现场" in item and "抢修到达现场（城区）" in item and "45 分钟" in item
    assert 'data-due="2026-11-16T10:45:00.000+08:00"' in item
    assert 'class="cd cd-ok"' in item and "剩余 35分钟" in item
    assert re.search(r'<abbr class="grade grade-A" title="A 级依据：[^"]+">A</abbr>', item)
    assert 'id="countdown-config"' in body  # the texts and server time the script counts with


def test_a_clock_past_its_warning_point_turns_amber_before_the_sweep_runs(login, users, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users["agent"], customer)
    with time_machine.travel(T0 + dt.timedelta(minutes=40), tick=False):  # 80 % of 45 minutes is 36
        [item] = clock_items(page(login(users["agent"]), order))
    assert 'class="cd cd-warn"' in item and "剩余 5分钟" in item


def test_a_breached_clock_shows_the_breached_state(login, users, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users["agent"], customer)
    later = T0 + dt.timedelta(minutes=57)
    with time_machine.travel(later, tick=False):
        sweep(now=later)
        body = page(login(users["agent"]), order)
    [item] = clock_items(body)
    assert item.startswith('<li class="clock clock-breached">')
    assert 'class="cd cd-late"' in item and "已超时 12分钟" in item and "超时于" in item
    # the sweep's events on the timeline, each naming its escalation step
    assert "即将超时预警" in body and "超时升级" in body
    assert "时限「到达现场」第 1 级：提醒处理人" in body and "时限「到达现场」第 3 级：通知单位负责人" in body
    assert '时限状态：计时中<span class="arrow">→</span>已超时' in body


def test_a_paused_clock_shows_the_time_left_frozen_and_no_countdown(login, users, county, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(
            users["agent"],
            customer,
            topic_code="communication",
            business_type="complaint",
            description="抢修人员态度差",
        )
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        s.workorder_suspend(
            order=order, actor=users["dispatcher"], reason="客户出差", reason_code="customer_postpone"
        )
    with time_machine.travel(T0 + dt.timedelta(days=1, hours=5), tick=False):
        body = page(login(users["dispatcher"]), order)
    items = clock_items(body)
    assert len(items) == 2 and all('class="cd cd-paused"' in i for i in items)
    first_contact = next(i for i in items if "首次联系客户" in i)
    assert "已暂停 · 剩余 23小时" in first_contact  # 24 h limit, paused one hour in: frozen since
    assert "data-due" not in body


def test_a_met_clock_shows_when_and_whether_in_time(login, users, county, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users["agent"], customer)
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
        order = s.workorder_take(order=order, actor=users["repair"])
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        s.workorder_arrive(order=order, actor=users["repair"])
        body = page(login(users["repair"]), order)
    arrival = next(i for i in clock_items(body) if "到达现场" in i and "抢修到达现场" in i)
    assert 'class="cd cd-met"' in arrival and "已达成 · 11-16 10:30 按时" in arrival
    restoration = next(i for i in clock_items(body) if "故障恢复送电（城区）" in i)
    assert "3 小时" in restoration and 'data-due="2026-11-16T13:30:00.000+08:00"' in restoration


def test_the_policy_name_links_to_its_admin_page_for_staff_only(login, users, county, customer):
    order = intake(users["agent"], customer)
    policy = SlaPolicy.objects.get(name="抢修到达现场（城区）")
    link = reverse("admin:sla_slapolicy_change", args=[policy.pk])
    admin = UserFactory(unit=county.county, is_staff=True, is_superuser=True)
    assert link in page(login(admin), order)
    body = page(login(users["agent"]), order)
    assert "抢修到达现场（城区）" in body and link not in body


def test_the_page_and_the_sweep_warn_at_the_same_moment(login, users, customer):
    """The countdown turns amber (data-warn) exactly when the sweep takes the warning step: both ask the
    one rule (sla.rules.warn_time) with the clock's own policy, even after the policy's ratio changed."""
    with time_machine.travel(T0, tick=False):
        order = intake(users["agent"], customer)
    clock = order.clocks.get(kind="arrival")
    SlaPolicy.objects.filter(pk=clock.policy_id).update(warn_ratio="0.60")
    refcache.clear()  # an update() sends no save signal; an administrator's save in the admin does
    client = login(users["agent"])
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        [item] = clock_items(page(client, order))
    warn = dt.datetime.fromisoformat(re.search(r'data-warn="([^"]+)"', item).group(1))
    assert warn == T0 + dt.timedelta(minutes=27)  # 60 % of 45 minutes
    assert sweep(now=warn - dt.timedelta(milliseconds=1)).steps_taken == 0
    # (the clock's stored next check still says 80 %: the sweep looks again at that moment)
    clock.refresh_from_db()
    type(clock).objects.filter(pk=clock.pk).update(next_check_at=warn)
    assert sweep(now=warn).steps_taken == 1
    assert order.events.filter(kind="sla_warning").count() == 1
