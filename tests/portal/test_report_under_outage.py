"""A customer's fault report from a supply under a confirmed outage goes through the agents' intake, so it
lands on the outage's one order as a call of it — no new order dispatched to a crew — as a hotline call
does (tests/outages/test_intake.py, tests/e2e/test_outage_call.py)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from powerdesk.customers.models import CustomerSupply
from powerdesk.grid.services import device_create
from powerdesk.outages.models import Outage, OutageCall
from powerdesk.outages.services import outage_create
from powerdesk.portal.models import ReportKind
from powerdesk.workorders.choices import EventKind
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def supplied(customer, transformer, code: str) -> None:
    meter = device_create(code=code, name=code, kind="meter_point", parent=transformer)
    CustomerSupply.objects.create(customer=customer, meter_point=meter)


@pytest.fixture
def transformer(customer, county):
    substation = device_create(code="P-S", name="东桥变", kind="substation", parent=None)
    feeder = device_create(code="P-F1", name="和平线", kind="feeder", parent=substation)
    transformer = device_create(
        code="P-T1",
        name="和平路1号公变",
        kind="transformer",
        parent=feeder,
        ownership="public",
        area=customer.area,
    )
    supplied(customer, transformer, "P-M1")
    return transformer


def report(portal, customer):
    return portal.post(
        reverse("portal:report"),
        {
            "customer": customer.account_no,
            "kind": ReportKind.objects.get(code="fault").pk,
            "description": "家里突然停电了",
            "staff_name": "",
            "submission": str(uuid.uuid4()),
        },
    )


def test_a_portal_fault_report_under_a_confirmed_outage_is_linked_without_a_dispatch(
    portal, customer, transformer, users
):
    outage = outage_create(
        actor=users["dispatcher"], kind="fault", title="和平路1号公变跳闸", devices=[transformer]
    )
    assert outage.state == "confirmed"
    answer = report(portal, customer)
    assert answer.status_code == 302
    outage = Outage.objects.get(pk=outage.pk)
    order = WorkOrder.objects.get()
    assert outage.order_id == order.pk and order.channel == "portal"
    assert OutageCall.objects.filter(outage=outage, customer=customer, contact__order=order).exists()
    assert order.status == "accepted" and order.assignee_id is None
    assert not WorkOrderEvent.objects.filter(order=order, kind=EventKind.DISPATCH).exists()
    # the customer is taken to their report, which they may read
    assert answer.url.startswith(reverse("portal:order", args=[order.number]))
    assert portal.get(answer.url).status_code == 200


def test_a_second_customer_under_the_same_outage_is_a_call_of_its_one_order(
    portal, customer, transformer, users, county
):
    neighbour = CustomerFactory(area=customer.area, phone="13800000077", name="王五")
    supplied(neighbour, transformer, "P-M2")
    outage = outage_create(
        actor=users["dispatcher"], kind="fault", title="和平路1号公变跳闸", devices=[transformer]
    )
    from powerdesk.workorders.services import workorder_intake
    from tests.factories import topic

    first = workorder_intake(
        actor=users["agent"],
        business_type="repair",
        topic=topic("fault_repair"),
        channel="95598",
        description="整栋楼没电",
        customer=neighbour,
        caller_phone="13800000077",
    ).order
    answer = report(portal, customer)
    assert answer.status_code == 302
    outage = Outage.objects.get(pk=outage.pk)
    assert outage.order_id == first.pk
    assert OutageCall.objects.filter(outage=outage, customer=customer).exists()
    assert WorkOrder.objects.filter(business_type="repair").count() == 1
    # the neighbour's order is not the customer's to read: they are taken to their account's page, told
    # the report joined the outage under repair, and see it there with its state
    assert answer.url == reverse("portal:account", args=[customer.account_no]) + "?outage=1"
    page = portal.get(answer.url)
    html = page.content.decode()
    assert page.status_code == 200 and "您的报修已记录，无需重复报修" in html
    assert "正在停电" in html and "和平路1号公变跳闸" in html
    assert first.number not in html and "整栋楼没电" not in html
    assert portal.get(reverse("portal:order", args=[first.number])).status_code == 404
