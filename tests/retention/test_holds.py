"""A hold wins over expiry: a sensitive customer's orders and attachments, a customer or caller with an
open complaint, an explicit hold (until released or past its date)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from powerdesk.privacy.models import AnonymisedOrder
from powerdesk.privacy.services import retention_anonymise, retention_hold_place, retention_hold_release
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import Attachment, WorkOrder
from tests.factories import CustomerFactory
from tests.retention.conftest import LATER
from tests.workorders.helpers import intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_(county):
    return CustomerFactory(area=county.east_area, phone="13812345678", name="张三")


def anonymised(order: WorkOrder) -> bool:
    return AnonymisedOrder.objects.filter(order=order).exists()


def test_a_sensitive_customers_orders_and_attachments_are_kept(customer_, closed_order, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = closed_order(customer_, photo=True)
    customer_.is_sensitive = True
    customer_.sensitive_reason = "媒体关注"
    customer_.save()
    with time_machine.travel(LATER, tick=False):
        report = retention_anonymise()
    assert report.orders == 0 and report.attachments == 0
    assert not anonymised(order) and Attachment.objects.filter(order=order).exists()
    assert WorkOrder.objects.get(pk=order.pk).caller_phone == "13812345678"


def test_an_expired_attachment_of_an_ordinary_customer_is_deleted_with_its_file(
    customer_, closed_order, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    order = closed_order(customer_, photo=True)
    path = Path(Attachment.objects.get(order=order).file.path)
    assert path.exists()
    with time_machine.travel(LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
        report = retention_anonymise()
    assert report.attachments == 1
    assert not Attachment.objects.filter(order=order).exists()
    assert not path.exists()


def test_an_open_complaint_holds_the_customers_closed_orders(customer_, closed_order, users):
    order = closed_order(customer_)
    with time_machine.travel(LATER - dt.timedelta(days=2), tick=False):
        intake(
            users,
            customer_,
            business_type=BusinessType.COMPLAINT,
            topic_code="billing",
            description="对抢修人员态度不满",
            force_new=True,
            override_reason="测试",
        )
    with time_machine.travel(LATER, tick=False):
        retention_anonymise()
    assert not anonymised(order)


def test_an_explicit_hold_keeps_the_data_until_released(customer_, closed_order, users):
    order = closed_order(customer_)
    by_phone = closed_order(CustomerFactory(area=customer_.area, name="钱七", phone="13900001111"))
    with time_machine.travel(LATER, tick=False):
        hold = retention_hold_place(actor=users["manager"], customer=customer_, reason="诉讼证据保全")
        retention_hold_place(actor=users["manager"], phone="13900001111", reason="监管调查")
        retention_anonymise()
        assert not anonymised(order) and not anonymised(by_phone)
        retention_hold_release(actor=users["manager"], hold=hold, reason="诉讼结束")
        retention_anonymise()
    assert anonymised(order) and not anonymised(by_phone)


def test_a_hold_past_its_date_no_longer_holds(customer_, closed_order, users):
    order = closed_order(customer_)
    with time_machine.travel(LATER, tick=False):
        retention_hold_place(
            actor=users["manager"],
            customer=customer_,
            reason="复核",
            until=LATER.date() - dt.timedelta(days=1),
        )
        retention_anonymise()
    assert anonymised(order)
