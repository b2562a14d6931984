"""The console's order list and ``GET /api/v1/workorders/`` take the same filters (one FilterSet): the
same names, bounds and messages; the console reports an invalid value and lists without it, the API
answers 400 with the stable error body."""

from __future__ import annotations

import pytest
from django.urls import reverse

from powerdesk.workorders.models import WorkOrder
from tests.api.conftest import client_for, error

URL = "/api/v1/workorders/"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"queue": "everyone"}, "queue", "队列无效。"),
        ({"status": "nonsense"}, "status", "状态“nonsense”无效。"),
        ({"business_type": "x"}, "business_type", "业务类型无效。"),
        ({"topic": "nope"}, "topic", "业务分类无效。"),
        ({"unit": "abc"}, "unit", "处理单位无效。"),
        ({"channel": "fax"}, "channel", "受理渠道无效。"),
        ({"date_from": "05/01/2026"}, "date_from", "请输入有效的日期，如 2025-05-01。"),
        ({"date_from": "1999-12-31"}, "date_from", "日期须在 2000-01-01 至 2099-12-31 之间。"),
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to", "结束日期不能早于开始日期。"),
        ({"overdue": "maybe"}, "overdue", "请填写 true 或 false。"),
        ({"breached": "maybe"}, "breached", "请填写 true 或 false。"),
        ({"sort": "cheapest"}, "sort", "排序方式无效。"),
    ],
)
def test_an_invalid_value_gets_the_same_message_from_both(params, field, message, client, users, db):
    api = client_for(users["agent"]).get(URL, params)
    assert api.status_code == 400 and error(api)["fields"][field] == [message]
    client.force_login(users["agent"])
    console = client.get(reverse("workorders:list"), params)
    assert console.status_code == 200 and console.context["form"].errors[field] == [message]


def test_both_list_only_open_orders_when_asked(client, users, make_order):
    archived, open_order = make_order(), make_order(description="又停电了")
    WorkOrder.objects.filter(pk=archived.pk).update(status="archived")
    client.force_login(users["agent"])
    console = client.get(reverse("workorders:list"), {"queue": "all", "open": "on"})
    api = client_for(users["agent"]).get(URL, {"open": "true"})
    assert [o.number for o in console.context["page"].object_list] == [open_order.number]
    assert [row["number"] for row in api.json()["results"]] == [open_order.number]


def test_the_default_queue_is_mine_in_the_console_and_all_in_the_api(client, users, make_order):
    order = make_order()  # taken by the agent, in no one's hands: the agent's own queue holds it
    client.force_login(users["dispatcher"])
    console = client.get(reverse("workorders:list"))
    api = client_for(users["dispatcher"]).get(URL)
    assert console.context["filter"]["queue"] == "mine" and list(console.context["page"].object_list) == []
    assert [row["number"] for row in api.json()["results"]] == [order.number]


def test_statuses_are_taken_repeated_or_comma_separated_by_both(client, users, make_order, dispatched):
    accepted, sent, archived = make_order(), dispatched(description="又停电了"), make_order(description="三")
    WorkOrder.objects.filter(pk=archived.pk).update(status="archived")
    client.force_login(users["agent"])
    for params in ({"status": "accepted,dispatched"}, {"status": ["accepted", "dispatched"]}):
        console = client.get(reverse("workorders:list"), {"queue": "all", **params})
        api = client_for(users["agent"]).get(URL, params)
        assert {o.number for o in console.context["page"].object_list} == {accepted.number, sent.number}
        assert {row["number"] for row in api.json()["results"]} == {accepted.number, sent.number}
        assert console.content.decode().count('name="status" value="') == 11
        assert 'value="accepted" id="id_status_0" checked' in console.content.decode()
