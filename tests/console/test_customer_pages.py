"""Finding a customer and the customer page: identity, flags, 台区经理, open orders, recent contacts."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from powerdesk.core import clock
from powerdesk.workorders import services as s
from powerdesk.workorders.models import Contact, WorkOrder
from tests.console.conftest import intake
from tests.factories import CustomerFactory


def test_it_finds_a_customer_by_phone_account_number_and_address(login, users, customer):
    client = login(users["agent"])
    for q in ("13812345678", customer.account_no, customer.address[-6:]):
        response = client.get(reverse("customers:search"), {"q": q})
        assert customer in response.context["results"], q
        assert reverse("customers:detail", args=[customer.account_no]) in response.content.decode()


def test_it_says_when_nothing_matches(login, users, customer):
    body = login(users["agent"]).get(reverse("customers:search"), {"q": "不存在的地址"}).content.decode()
    assert "没有找到与“不存在的地址”相符的客户" in body


def test_the_live_search_returns_only_the_results(login, users, customer):
    response = login(users["agent"]).get(
        reverse("customers:search"),
        {"q": customer.account_no},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="customer-results",
    )
    body = response.content.decode()
    assert customer.name in body and "<html" not in body


def test_search_results_stay_within_the_users_units(login, users, customer, west_customer):
    from tests.factories import UserFactory

    east_agent = UserFactory.with_role("agent", customer.area.parent)
    response = login(east_agent).get(reverse("customers:search"), {"q": "13987654321"})
    assert response.context["results"] == []


def test_the_customer_page_shows_flags_area_manager_and_station(login, users, county):
    vip = CustomerFactory(
        area=county.east_area,
        is_sensitive=True,
        is_life_support=True,
        multi_resident=True,
        shared_meter=True,
        name="王五",
    )
    body = login(users["agent"]).get(reverse("customers:detail", args=[vip.account_no])).content.decode()
    for text in (
        "敏感客户",
        "保电/生命支持",
        "一户多人口",
        "合表",
        "李台区",
        "13900000000",
        "东桥供电所",
        "和平路1号台区",
        vip.meter_no,
        "城镇居民",
    ):
        assert text in body, text


def test_the_customer_page_lists_open_and_recent_orders_with_the_rules_suggestion(
    login, users, customer, order
):
    closed = intake(
        users["agent"], customer, topic_code="billing", business_type="consultation", description="问电价"
    )
    s.workorder_answer(order=closed, actor=users["agent"], answer="已解释阶梯电价")
    old = intake(
        users["agent"], customer, topic_code="metering", business_type="consultation", description="旧"
    )
    s.workorder_answer(order=old, actor=users["agent"], answer="已答复")
    WorkOrder.objects.filter(pk=old.pk).update(closed_at=clock.now() - dt.timedelta(days=60))  # long ago

    response = login(users["agent"]).get(reverse("customers:detail", args=[customer.account_no]))

    [panel] = [p for p in response.context["panels"]["main"] if "items" in p["context"]]
    shown = {item.order: item.suggested for item in panel["context"]["items"]}
    assert shown == {order: "link", closed: "follow_up"}
    body = response.content.decode()
    assert "计入此工单" in body and reverse("workorders:add_contact", args=[order.number]) in body
    # Only the order the rule itself counts a call on gets the one-click button.
    assert reverse("workorders:add_contact", args=[closed.number]) not in body


def test_the_customer_page_lists_contacts_of_the_last_90_days_newest_first(login, users, customer, order):
    intake(users["agent"], customer, description="第二次来电催促")
    old = Contact.objects.filter(order=order, is_repeat=False).get()
    Contact.objects.filter(pk=old.pk).update(at=clock.now() - dt.timedelta(days=91))
    response = login(users["agent"]).get(reverse("customers:detail", args=[customer.account_no]))
    [panel] = [p for p in response.context["panels"]["main"] if "contacts" in p["context"]]
    contacts = panel["context"]["contacts"]
    assert [c.summary for c in contacts] == ["第二次来电催促"]
    body = response.content.decode()
    assert "重复致电" in body and order.number in body


def test_the_new_order_button_carries_the_customer(login, users, customer):
    body = login(users["agent"]).get(reverse("customers:detail", args=[customer.account_no])).content.decode()
    assert f"{reverse('workorders:new')}?customer={customer.account_no}" in body
    assert "受理新工单" in body
