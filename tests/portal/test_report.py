"""Reports go through the agents' intake with the portal's channel; the account gives the 台区."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from powerdesk.portal.models import ReportKind
from powerdesk.workorders.models import Contact, WorkOrder

pytestmark = pytest.mark.django_db


def _post(portal, customer, kind: str, text: str = "家里整栋楼停电了", **extra: str):
    data = {
        "customer": customer.account_no,
        "kind": ReportKind.objects.get(code=kind).pk,
        "description": text,
        "staff_name": "",
        "submission": str(uuid.uuid4()),
        **extra,
    }
    return portal.post(reverse("portal:report"), data), data


def test_a_fault_becomes_a_repair_order_on_the_accounts_area_with_the_portal_channel(portal, customer):
    answer, _data = _post(portal, customer, "fault")
    order = WorkOrder.objects.get()
    assert answer.status_code == 302 and answer.url.startswith(reverse("portal:order", args=[order.number]))
    assert (order.channel, order.business_type, order.customer, order.area) == (
        "portal",
        "repair",
        customer,
        customer.area,
    )
    assert order.caller_phone == "13812345678" and order.address == customer.address
    assert order.owner.full_name == "网上营业厅" and not order.owner.is_active
    assert Contact.objects.get().channel == "portal"


def test_posting_the_same_form_twice_makes_one_order(portal, customer):
    _answer, data = _post(portal, customer, "fault")
    again = portal.post(reverse("portal:report"), data)
    assert again.status_code == 302
    assert WorkOrder.objects.count() == 1 and Contact.objects.count() == 1


def test_a_second_fault_report_is_a_repeat_call_on_the_open_order(portal, customer):
    _post(portal, customer, "fault")
    _post(portal, customer, "fault", "还是没电，请尽快")
    order = WorkOrder.objects.get()
    assert order.contact_count == 2


def test_praise_names_the_staff_member(portal, customer):
    refused, _data = _post(portal, customer, "praise", "抢修很及时")
    assert refused.status_code == 200 and "请填写您要表扬的员工" in refused.content.decode()
    _post(portal, customer, "praise", "抢修很及时", staff_name="王师傅")
    order = WorkOrder.objects.get()
    assert order.business_type == "praise" and order.facts["praised_staff"] == "王师傅"


@pytest.mark.parametrize(
    ("kind", "business_type"),
    [("question", "consultation"), ("opinion", "opinion"), ("complaint", "complaint")],
)
def test_questions_opinions_and_complaints_become_their_orders(portal, customer, kind, business_type):
    _post(portal, customer, kind, "想了解一下阶梯电价怎么算")
    assert WorkOrder.objects.get().business_type == business_type


def test_an_account_not_bound_cannot_be_chosen(portal, west_customer):
    answer, _data = _post(portal, west_customer, "fault")
    assert answer.status_code == 200 and not WorkOrder.objects.exists()


def test_without_a_bound_account_the_report_page_leads_to_binding(customer):
    from django.test import Client

    from tests.portal.conftest import sign_in

    client = sign_in(Client(), "13700001111")
    assert client.get(reverse("portal:report")).url == reverse("portal:bind")
