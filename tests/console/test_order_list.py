"""The order list: queues, filters (status, overdue, date range), bad input reported without a 500,
and pagination."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.urls import reverse

from powerdesk.core import clock, pagination
from powerdesk.workorders import services as s
from powerdesk.workorders import views
from powerdesk.workorders.models import WorkOrder
from tests.console.conftest import intake
from tests.factories import CustomerFactory


def numbers(response):
    return [o.number for o in response.context["page"].object_list]


def test_the_queues_split_my_orders_from_my_units(login, users, county, customer, order, west_customer):
    dispatched = s.workorder_dispatch(
        order=order, actor=users["dispatcher"], unit=county.east, expected_version=order.version
    )
    taken = s.workorder_take(order=dispatched, actor=users["repair"])
    other = intake(users["agent"], CustomerFactory(area=county.east_area), description="电压低")
    s.workorder_dispatch(
        order=other, actor=users["dispatcher"], unit=county.east, expected_version=other.version
    )
    client = login(users["repair"])
    assert numbers(client.get(reverse("workorders:list"), {"queue": "mine"})) == [taken.number]
    assert set(numbers(client.get(reverse("workorders:list"), {"queue": "unit"}))) == {
        taken.number,
        other.number,
    }
    assert numbers(login(users["west_repair"]).get(reverse("workorders:list"), {"queue": "all"})) == []


def test_it_filters_by_several_statuses(login, users, county, customer):
    a = intake(users["agent"], customer, description="停电")
    b = intake(
        users["agent"], customer, topic_code="billing", business_type="consultation", description="电费"
    )
    c = intake(
        users["agent"], customer, topic_code="metering", business_type="service_request", description="表计"
    )
    s.workorder_dispatch(order=a, actor=users["dispatcher"], unit=county.east, expected_version=a.version)
    s.workorder_escalate(order=c, actor=users["manager"], reason="媒体")
    client = login(users["manager"])
    got = numbers(client.get(reverse("workorders:list"), {"queue": "all", "status": ["dispatched"]}))
    assert got == [a.number]
    got = numbers(
        client.get(reverse("workorders:list"), {"queue": "all", "status": ["dispatched", "accepted"]})
    )
    assert set(got) == {a.number, b.number, c.number}
    got = numbers(client.get(reverse("workorders:list"), {"queue": "all", "flagged": "on"}))
    assert got == [c.number]


def test_it_filters_overdue_orders(login, users, customer):
    late = intake(users["agent"], customer, description="停电")
    fine = intake(
        users["agent"], customer, topic_code="billing", business_type="consultation", description="电费"
    )
    WorkOrder.objects.filter(pk=late.pk).update(due_at=clock.now() - dt.timedelta(hours=1))
    WorkOrder.objects.filter(pk=fine.pk).update(due_at=clock.now() + dt.timedelta(hours=1))
    response = login(users["agent"]).get(reverse("workorders:list"), {"queue": "all", "overdue": "on"})
    assert numbers(response) == [late.number]
    assert "逾期" in response.content.decode()


def test_it_filters_by_a_date_range_in_business_time(login, users, customer):
    old = intake(users["agent"], customer, description="停电")
    new = intake(
        users["agent"], customer, topic_code="billing", business_type="consultation", description="电费"
    )
    day = clock.local_now().date() - dt.timedelta(days=10)
    late_evening = dt.datetime.combine(
        day, dt.time(23, 30), tzinfo=clock.BUSINESS_TZ
    )  # 15:30 UTC, same local day
    WorkOrder.objects.filter(pk=old.pk).update(created_at=late_evening)
    client = login(users["agent"])
    got = numbers(client.get(reverse("workorders:list"), {"queue": "all", "date_from": day, "date_to": day}))
    assert got == [old.number]
    got = numbers(
        client.get(reverse("workorders:list"), {"queue": "all", "date_from": day + dt.timedelta(days=1)})
    )
    assert got == [new.number]


def test_an_invalid_date_is_reported_and_ignored_not_a_500(login, users, order):
    response = login(users["agent"]).get(
        reverse("workorders:list"), {"queue": "all", "date_from": "2024-13-45"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "部分筛选条件无效" in body and "受理日期从" in body
    assert numbers(response) == [order.number]


def test_a_reversed_date_range_and_garbage_values_are_reported(login, users, order):
    response = login(users["agent"]).get(
        reverse("workorders:list"),
        {
            "queue": "nonsense",
            "date_from": "2025-05-02",
            "date_to": "2025-05-01",
            "unit": "abc",
            "status": ["zzz"],
            "topic": "nope",
            "page": "x",
        },
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in response.content.decode()
    assert set(response.context["form"].errors) == {"queue", "date_to", "unit", "status", "topic"}


def test_the_text_search_matches_number_or_description(login, users, customer, order):
    other = intake(
        users["agent"],
        customer,
        topic_code="billing",
        business_type="consultation",
        description="询问峰谷电价",
    )
    client = login(users["agent"])
    assert numbers(client.get(reverse("workorders:list"), {"queue": "all", "q": order.number})) == [
        order.number
    ]
    assert numbers(client.get(reverse("workorders:list"), {"queue": "all", "q": "峰谷"})) == [other.number]


def test_it_pages_through_the_orders_and_shows_the_total(login, users, customer, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [
        intake(users["agent"], CustomerFactory(area=customer.area), description=f"第{i}单") for i in range(5)
    ]
    client = login(users["agent"])
    first = client.get(reverse("workorders:list"), {"queue": "all"})
    third = client.get(reverse("workorders:list"), {"queue": "all", "page": 3})
    beyond = client.get(reverse("workorders:list"), {"queue": "all", "page": 99})
    assert numbers(first) == [made[4].number, made[3].number]
    assert numbers(third) == [made[0].number]
    assert numbers(beyond) == numbers(third)
    body = first.content.decode()
    assert "共 5 张工单" in body and "page=2" in body and "第 1 / 3 页" in body


def test_the_default_page_size_is_fifty():
    assert views.PAGE_SIZE == 50


def test_out_of_range_and_odd_values_never_give_a_500(login, users, order):
    client = login(users["agent"])
    for params in (
        {"unit": "99999999999999999999999"},
        {"unit": "-1"},
        {"q": "x" * 500},
        {"q": "99999999999999999999999999"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"status": ["accepted", "accepted"], "page": "-5"},
    ):
        response = client.get(reverse("workorders:list"), {"queue": "all", **params})
        assert response.status_code == 200, params


def test_past_the_count_cap_it_says_more_than_and_still_reaches_the_last_page(
    login, users, customer, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    made = [
        intake(users["agent"], CustomerFactory(area=customer.area), description=f"第{i}单") for i in range(5)
    ]
    client = login(users["agent"])
    first = client.get(reverse("workorders:list"), {"queue": "all"})
    body = first.content.decode()
    assert "超过 3 张工单" in body and "第 1 页" in body and "共 3 张" not in body
    assert "page=last" in body  # 末页: the real last page, counted when asked for
    third = client.get(reverse("workorders:list"), {"queue": "all", "page": 3})
    last = client.get(reverse("workorders:list"), {"queue": "all", "page": "last"})
    beyond = client.get(reverse("workorders:list"), {"queue": "all", "page": 99})
    assert numbers(third) == numbers(last) == numbers(beyond) == [made[0].number]
    assert 'rel="next"' not in last.content.decode()


def test_the_pagers_first_link_is_not_the_navs_home_in_english(login, users, customer, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    for i in range(2):
        intake(users["agent"], CustomerFactory(area=customer.area), description=f"第{i}单")
    client = login(users["agent"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("workorders:list"), {"queue": "all", "page": 2}).content.decode()
    pager = re.search(r'<nav class="pager".*?</nav>', html, re.S)
    assert pager and ">First</a>" in pager[0] and "Home" not in pager[0]
    assert ">Home</a>" in re.search(r'<nav class="mainnav".*?</nav>', html, re.S)[0]
