"""In a real browser: a dispatcher works the 待派单 queue (accepting the routing rule's suggestion with
one click) and a callback agent the 待回访 queue, each order leaving its queue once done."""

from __future__ import annotations

import re

import pytest

from powerdesk.workorders import services as s
from powerdesk.workorders.choices import Status
from powerdesk.workorders.models import WorkOrder
from tests.e2e.conftest import shot
from tests.e2e.test_order_lifecycle import act, login, status_text
from tests.factories import topic

pytestmark = pytest.mark.e2e


def take_call(agent, customer, code: str) -> WorkOrder:
    return s.workorder_intake(
        actor=agent,
        business_type="repair",
        topic=topic(code),
        channel="95598",
        description="小区整栋楼停电",
        customer=customer,
        caller_phone="13812345678",
    ).order


def replied(users, customer, code: str) -> WorkOrder:
    """An order the repair crew has worked and replied to: it waits for the callback agent."""
    order = take_call(users["agent"], customer, code)
    east = customer.area.parent
    order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=east, assignee=users["repair"])
    order = s.workorder_take(order=order, actor=users["repair"])
    order = s.workorder_arrive(order=order, actor=users["repair"])
    order = s.workorder_resolve(order=order, actor=users["repair"], result="更换熔断器，已恢复送电")
    return s.workorder_reply(order=order, actor=users["repair"], reply_text="已恢复送电")


def queue_tile(page, name: str):
    return page.locator("a.stat", has=page.locator(".lbl", has_text=re.compile(f"^{name}$")))


def test_a_dispatcher_and_a_callback_agent_work_their_queues(server, page, people):
    customer, users = people
    waiting = take_call(users["agent"], customer, "fault_repair")
    to_call = replied(users, customer, "power_quality")

    # The dispatcher: 待派单 on the home page, opened, the order dispatched as the rule suggests.
    login(page, server, "dispatcher")
    page.goto(f"{server}/")
    tile = queue_tile(page, "待派单")
    assert tile.locator(".num").inner_text() == "1"
    tile.click()
    page.wait_for_url(re.compile(r"/orders/\?.*status=accepted"))
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 1 and waiting.number in rows.first.inner_text()
    shot(page, "queue-to-dispatch")
    page.click(f"text={waiting.number}")
    page.wait_for_url(re.compile(rf"/orders/{waiting.number}/"))
    suggestion = page.locator("[data-testid=dispatch-suggestion]")
    assert "东桥供电所" in suggestion.inner_text() and "repair员工" in suggestion.inner_text()
    with page.expect_navigation(wait_until="load"):
        suggestion.locator("button[type=submit]").click()
    assert "已派单" in status_text(page)
    order = WorkOrder.objects.get(pk=waiting.pk)
    assert order.status == Status.DISPATCHED and order.unit.name == "东桥供电所"
    assert order.assignee == users["repair"]
    page.goto(f"{server}/")
    assert queue_tile(page, "待派单").locator(".num").inner_text() == "0"

    # The callback agent: 待回访, the customer called back, the order leaves the queue.
    login(page, server, "callback")
    page.goto(f"{server}/")
    queue_tile(page, "待回访").click()
    page.wait_for_url(re.compile(r"/orders/\?.*status=replied"))
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 1 and to_call.number in rows.first.inner_text()
    page.click(f"text={to_call.number}")
    page.wait_for_url(re.compile(rf"/orders/{to_call.number}/"))
    act(page, "callback", satisfaction="satisfied", resolved=True)
    assert "已回访" in status_text(page)
    page.goto(f"{server}/")
    assert queue_tile(page, "待回访").locator(".num").inner_text() == "0"
    queue_tile(page, "待归档").click()
    assert to_call.number in page.locator("table.data tbody").inner_text()
    shot(page, "queue-to-archive")
