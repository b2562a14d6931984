"""The order list by time limits: sorted by the soonest due time, filtered to orders with a breached clock,
and a countdown badge in the due column."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from powerdesk.core import clock
from powerdesk.sla.models import ClockState
from powerdesk.sla.sweep import sweep
from powerdesk.workorders.filters import order_list
from powerdesk.workorders.models import WorkOrder
from tests.console.conftest import intake
from tests.factories import CustomerFactory
from tests.sla.helpers import T0


def numbers(response):
    return [o.number for o in response.context["page"].object_list]


def consultation(users, county, text):
    """A consultation of a new customer (the same customer and topic again would count as a repeat call)."""
    customer = CustomerFactory(area=county.east_area)
    return intake(
        users["agent"], customer, topic_code="billing", business_type="consultation", description=text
    )


def test_sorted_by_due_soonest_the_earliest_comes_first_and_orders_without_a_due_time_last(
    login, users, county
):
    later, none, sooner = (consultation(users, county, text) for text in ("电费一", "电费二", "电费三"))
    now = clock.now()
    WorkOrder.objects.filter(pk=later.pk).update(due_at=now + dt.timedelta(hours=2))
    WorkOrder.objects.filter(pk=none.pk).update(due_at=None)
    WorkOrder.objects.filter(pk=sooner.pk).update(due_at=now + dt.timedelta(hours=1))
    client = login(users["agent"])
    url = reverse("workorders:list")
    assert numbers(client.get(url, {"queue": "all", "sort": "due"})) == [
        sooner.number,
        later.number,
        none.number,
    ]
    assert numbers(client.get(url, {"queue": "all"})) == [sooner.number, none.number, later.number]


def test_the_selector_keeps_newest_first_unless_asked(users, county):
    first, second = consultation(users, county, "电费一"), consultation(users, county, "电费二")
    WorkOrder.objects.filter(pk=first.pk).update(due_at=clock.now())
    assert list(order_list(user=users["agent"])) == [second, first]
    assert list(order_list(user=users["agent"], sort="due")) == [first, second]


def test_the_breached_filter_lists_only_orders_with_a_breached_clock(login, users, county, customer):
    with time_machine.travel(T0, tick=False):
        breached = intake(users["agent"], customer, description="停电")  # arrival within 45 minutes
        overdue = consultation(users, county, "电费")
        calm = consultation(users, county, "电价")
    later = T0 + dt.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        sweep(now=later)
        # Overdue on paper (its due time passed) but no clock recorded as breached.
        WorkOrder.objects.filter(pk=overdue.pk).update(due_at=later - dt.timedelta(minutes=5))
        client = login(users["agent"])
        url = reverse("workorders:list")
        response = client.get(url, {"queue": "all", "breached": "on"})
        assert numbers(response) == [breached.number]
        assert set(numbers(client.get(url, {"queue": "all", "overdue": "on"}))) == {
            breached.number,
            overdue.number,
        }
    assert breached.clocks.get().state == ClockState.BREACHED
    assert calm.number not in numbers(response)
    assert response.context["filter"]["breached"] and "已超时" in response.content.decode()


def test_the_due_column_counts_down_and_turns_red_when_overdue(login, users, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users["agent"], customer, description="停电")
    with time_machine.travel(T0 + dt.timedelta(minutes=15), tick=False):
        body = login(users["agent"]).get(reverse("workorders:list"), {"queue": "all"}).content.decode()
    assert (
        'class="cd cd-due cd-sm" data-due="2026-11-16T10:45:00.000+08:00"' in body and "剩余 30分钟" in body
    )
    with time_machine.travel(T0 + dt.timedelta(minutes=50), tick=False):
        body = login(users["agent"]).get(reverse("workorders:list"), {"queue": "all"}).content.decode()
    assert 'class="cd cd-late cd-sm"' in body and "已超时 5分钟" in body and order.number in body


def test_an_unknown_sort_is_reported_and_the_list_stays_newest_first(login, users, county):
    first, second = consultation(users, county, "电费一"), consultation(users, county, "电费二")
    response = login(users["agent"]).get(reverse("workorders:list"), {"queue": "all", "sort": "cheapest"})
    assert response.status_code == 200
    assert "排序方式无效。" in response.content.decode()
    assert numbers(response) == [second.number, first.number]
