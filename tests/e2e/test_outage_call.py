"""A fault call under a confirmed outage, taken in a real browser: the agent opens the new-order form for
the caller, sees at once that the supply is known to be off (the outage banner with its ETR and the storm's
script), submits, and the call lands on the outage's one order — no crew is dispatched."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from powerdesk.core import clock
from powerdesk.customers.models import CustomerSupply
from powerdesk.grid.services import device_create
from powerdesk.outages.known_events import known_event_create
from powerdesk.outages.models import Outage, OutageCall
from powerdesk.outages.services import outage_create
from powerdesk.workorders.choices import EventKind
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from tests.e2e.conftest import PASSWORD, shot

pytestmark = pytest.mark.e2e

SCRIPT = "受强对流天气影响，和平路一带线路故障，抢修人员已到场处理，请耐心等待，无需重复报修。"


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*login).*$"))


def network(customer):
    """Substation → feeder → transformer of the customer's 台区 → the customer's meter point."""
    substation = device_create(code="E2E-S", name="东桥变", kind="substation", parent=None)
    feeder = device_create(code="E2E-F1", name="和平线", kind="feeder", parent=substation)
    transformer = device_create(
        code="E2E-T1",
        name="和平路1号公变",
        kind="transformer",
        parent=feeder,
        ownership="public",
        area=customer.area,
    )
    meter = device_create(code="E2E-M1", name="周秀英表计", kind="meter_point", parent=transformer)
    CustomerSupply.objects.create(customer=customer, meter_point=meter)
    return feeder, transformer


def test_a_fault_call_under_a_confirmed_outage_is_linked_without_a_dispatch(server, page, people):
    customer, users = people
    feeder, transformer = network(customer)
    storm = known_event_create(
        actor=users["dispatcher"],
        kind="storm",
        title="强对流天气",
        script=SCRIPT,
        devices=[feeder],
        starts_at=clock.now() - dt.timedelta(hours=1),
    )
    etr = (clock.now() + dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    outage = outage_create(
        actor=users["dispatcher"],
        kind="fault",
        title="和平路1号公变跳闸",
        devices=[transformer],
        known_event=storm,
        crew_etr=etr,
    )
    assert outage.state == "confirmed" and outage.etr == etr

    login(page, server, "agent")
    page.goto(f"{server}/orders/new/?customer={customer.account_no}")
    banner = page.locator("#known-outages")
    banner.wait_for()
    text = banner.inner_text()
    assert outage.number in text and "已确认" in text
    assert timezone.localtime(etr).strftime("%Y-%m-%d %H:%M") in text and "抢修人员" in text
    assert SCRIPT in text
    shot(page, "outage-call-banner")

    page.select_option("[name=business_type]", value="repair")
    page.select_option("[name=topic]", label="故障抢修")
    page.fill("[name=description]", "家里突然停电了，周边邻居也没电")
    page.click("button:has-text('提交受理')")
    page.wait_for_url(re.compile(r"/orders/\d+/"))
    body = page.locator("body").inner_text()
    assert f"来电已关联到已知停电 {outage.number}" in body and "不再派发抢修" in body
    shot(page, "outage-call-linked")

    outage = Outage.objects.get(pk=outage.pk)
    order = WorkOrder.objects.get(pk=outage.order_id)
    assert page.url.rstrip("/").endswith(f"/orders/{order.number}")
    assert order.customer_id == customer.pk and order.status == "accepted" and order.assignee_id is None
    assert not WorkOrderEvent.objects.filter(order=order, kind=EventKind.DISPATCH).exists()
    assert OutageCall.objects.filter(outage=outage, customer=customer, contact__order=order).exists()
    assert WorkOrder.objects.filter(customer=customer).count() == 1
