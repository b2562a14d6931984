"""Data-subject requests on the console (the system administrator's): export what we hold about a phone
number or an account — theirs and nothing of others —, correct the account, erase (refused while a hold
applies or an order is open), each step with its audit entry."""

from __future__ import annotations

import io
import json

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from powerdesk.audit.models import AuditEntry
from powerdesk.customers.models import Customer
from powerdesk.privacy.models import AnonymisedOrder, RetentionHold
from powerdesk.workorders import services as s
from powerdesk.workorders.models import Contact, WorkOrder
from tests.factories import CustomerFactory, topic
from tests.retention.conftest import DAY, LATER
from tests.workorders.helpers import intake

pytestmark = pytest.mark.django_db

PAGE = "privacy:requests"


def take(users, customer, phone: str, description: str) -> WorkOrder:
    return s.workorder_intake(
        actor=users["agent"],
        business_type="repair",
        topic=topic("fault_repair"),
        channel="95598",
        description=description,
        customer=customer,
        caller_phone=phone,
        force_new=True,
        override_reason="测试",
    ).order


@pytest.fixture
def zhang(county):
    return CustomerFactory(
        area=county.east_area, phone="13812345678", name="张三", address="青溪县城关镇和平路8号"
    )


@pytest.fixture
def li(county):
    return CustomerFactory(area=county.west_area, phone="13987654321", name="李四")


@pytest.fixture
def as_admin(login, admin):
    return login(admin)


def test_the_page_is_the_administrators(login, users, admin, zhang):
    assert login(users["manager"]).get(reverse(PAGE)).status_code == 403
    page = login(admin).get(reverse(PAGE), {"account_no": zhang.account_no})
    assert page.status_code == 200
    assert zhang.account_no in page.content.decode()


def test_the_export_holds_the_persons_orders_and_contacts_and_nothing_of_others(
    as_admin, zhang, li, closed_order, users
):
    mine = closed_order(zhang)
    with time_machine.travel(DAY, tick=False):
        theirs = take(users, li, "13987654321", "李四家停电")
        # a call from Zhang's number about no account: found by the number
        walk_in = take(users, None, "13812345678", "路灯不亮")

    response = as_admin.post(
        reverse("privacy:export"), {"phone": "13812345678", "reason": "本人书面申请查询", "format": "json"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    payload = json.loads(response.content)
    numbers = {o["number"] for o in payload["orders"]}
    assert numbers == {mine.number, walk_in.number}
    assert theirs.number not in response.content.decode() and "李四" not in response.content.decode()
    assert [c["account_no"] for c in payload["customers"]] == [zhang.account_no]
    contacts = Contact.objects.filter(order__in=[mine, walk_in])
    assert len(payload["contacts"]) == contacts.count() == 3
    assert payload["notifications"] and all(
        n["recipient"] in ("13812345678", "") for n in payload["notifications"]
    )
    entry = AuditEntry.objects.get(kind="privacy_export")
    assert (entry.subject, entry.reason, entry.data["orders"]) == ("13812345678", "本人书面申请查询", 2)


def test_the_export_as_excel(as_admin, zhang, closed_order):
    order = closed_order(zhang)
    response = as_admin.post(
        reverse("privacy:export"), {"account_no": zhang.account_no, "reason": "申请", "format": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row}
    assert order.number in values and "13812345678" in values
    assert AuditEntry.objects.filter(kind="privacy_export", subject=zhang.account_no).exists()


def test_a_request_without_a_subject_shows_the_errors(as_admin):
    response = as_admin.post(reverse("privacy:export"), {"reason": "x", "format": "json"})
    assert response.status_code == 200
    assert "请填写电话号码或户号之一" in response.content.decode()
    response = as_admin.get(reverse(PAGE), {"phone": "not a number"})
    assert response.status_code == 200 and "请输入正确的电话号码" in response.content.decode()
    assert not AuditEntry.objects.filter(kind__startswith="privacy_").exists()


def test_a_field_is_corrected_with_an_audit_entry(as_admin, zhang):
    response = as_admin.post(
        reverse("privacy:correct"),
        {
            "account_no": zhang.account_no,
            "field": "address",
            "value": "青溪县城关镇和平路18号",
            "reason": "地址有误",
        },
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=zhang.pk).address == "青溪县城关镇和平路18号"
    entry = AuditEntry.objects.get(kind="privacy_correct")
    assert (entry.subject, entry.data) == (zhang.account_no, {"field": "address"})
    assert "和平路8号" not in json.dumps(entry.data, ensure_ascii=False)


def test_erasure_is_refused_while_a_hold_applies_then_done(as_admin, admin, zhang, closed_order):
    order = closed_order(zhang)
    with time_machine.travel(LATER, tick=False):
        as_admin.force_login(admin)  # a session of that day (the absolute lifetime ends older ones)
        placed = as_admin.post(
            reverse("privacy:hold_place"), {"account_no": zhang.account_no, "reason": "投诉复核证据"}
        )
        assert placed.status_code == 302, placed.content.decode()[-2000:]
        hold = RetentionHold.objects.get(customer=zhang)
        refused = as_admin.post(
            reverse("privacy:erase"), {"account_no": zhang.account_no, "reason": "本人申请删除"}
        )
        assert refused.status_code == 200 and "保留状态" in refused.content.decode()
        assert WorkOrder.objects.get(pk=order.pk).caller_phone == "13812345678"

        as_admin.post(reverse("privacy:hold_release", args=[hold.pk]), {"reason": "复核结束"})
        done = as_admin.post(
            reverse("privacy:erase"), {"account_no": zhang.account_no, "reason": "本人申请删除"}
        )
    assert done.status_code == 302
    assert AnonymisedOrder.objects.filter(order=order).exists()
    assert WorkOrder.objects.get(pk=order.pk).caller_phone == ""
    kinds = list(
        AuditEntry.objects.filter(subject=zhang.account_no).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["retention_hold_placed", "retention_hold_released", "privacy_erase"]


def test_erasure_waits_for_open_orders(as_admin, zhang, users):
    with time_machine.travel(DAY, tick=False):
        intake(users, zhang, description="停电")
    response = as_admin.post(reverse("privacy:erase"), {"account_no": zhang.account_no, "reason": "申请删除"})
    assert response.status_code == 200 and "未办结的工单" in response.content.decode()
    assert not AuditEntry.objects.filter(kind="privacy_erase").exists()
