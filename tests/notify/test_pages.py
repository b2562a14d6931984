"""The customer messages on the order page and in the API; the opt-outs on the customer page, their form,
the admin and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from powerdesk.notify.models import CustomerOptOut
from powerdesk.notify.opt_outs import customer_opt_outs_set
from tests.api.conftest import client_for
from tests.workorders.helpers import intake

pytestmark = pytest.mark.django_db


def test_the_order_page_lists_the_customers_messages_with_why_one_was_not_sent(client, users, customer):
    customer_opt_outs_set(customer=customer, channels=["sms"])
    order = intake(users, customer)
    client.force_login(users["manager"])  # sees callers' numbers masked (org 0011)
    page = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert "客户告知" in page and "报修已受理（告知客户）" in page and "客户已退订" in page
    assert "13812345678" not in page


def test_the_api_order_detail_carries_the_customer_messages(users, customer):
    order = intake(users, customer)
    answer = client_for(users["agent"]).get(reverse("api-v1-workorder-detail", args=[order.number])).json()
    [message] = answer["customer_messages"]
    assert message["template"] == "order_accepted_repair" and message["state"] == "pending"
    assert message["suppressed_reason"] == "" and "recipient" in message


def test_an_agent_records_the_customers_opt_outs_on_the_customer_page(client, users, customer):
    client.force_login(users["agent"])
    detail = client.get(reverse("customers:detail_id", args=[customer.pk])).content.decode()
    url = reverse("notify:customer_opt_outs", args=[customer.pk])
    assert "通知退订" in detail and url in detail
    assert client.get(url).status_code == 200
    response = client.post(url, {"channels": ["sms", "wechat"], "note": "客户来电要求"})
    assert response.status_code == 302
    assert sorted(CustomerOptOut.objects.filter(customer=customer).values_list("channel", flat=True)) == [
        "sms",
        "wechat",
    ]
    client.post(url, {"channels": ["wechat"]})
    assert list(CustomerOptOut.objects.filter(customer=customer).values_list("channel", flat=True)) == [
        "wechat"
    ]
    detail = client.get(reverse("customers:detail_id", args=[customer.pk])).content.decode()
    assert "不接收微信通知" in detail


def test_an_unknown_channel_is_a_field_error_in_chinese(client, users, customer):
    client.force_login(users["agent"])
    url = reverse("notify:customer_opt_outs", args=[customer.pk])
    response = client.post(url, {"channels": ["pigeon"]})
    assert response.status_code == 200 and "请选择有效的渠道。" in response.content.decode()
    assert not CustomerOptOut.objects.exists()


def test_a_role_that_takes_no_calls_sees_the_opt_outs_but_cannot_change_them(client, users, customer):
    client.force_login(users["repair"])
    url = reverse("notify:customer_opt_outs", args=[customer.pk])
    detail = client.get(reverse("customers:detail_id", args=[customer.pk])).content.decode()
    assert "通知退订" in detail and url not in detail
    assert client.post(url, {"channels": ["sms"]}).status_code == 403
    assert not CustomerOptOut.objects.exists()


def test_the_api_customer_detail_carries_the_opt_outs(users, customer):
    customer_opt_outs_set(customer=customer, channels=["email"])
    answer = client_for(users["agent"]).get(reverse("api-v1-customer-detail", args=[customer.account_no]))
    assert answer.json()["opt_outs"] == ["email"]


def test_the_rules_quiet_hours_and_opt_outs_have_admin_screens(client, users, customer):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for model in ("customermessagerule", "quiethours", "customeroptout", "notificationcategory"):
        assert client.get(reverse(f"admin:notify_{model}_changelist")).status_code == 200, model
    add = client.post(
        reverse("admin:notify_quiethours_add"), {"name": "午休", "start": "12:00", "end": "12:00"}
    )
    assert add.status_code == 200 and "结束时间不能与开始时间相同" in add.content.decode()
