"""GET /api/v1/workorders/{number}/: the order, its timeline, evidence, and what the caller may do now."""

from __future__ import annotations

from powerdesk.workorders import services as s
from tests.factories import topic

URL = "/api/v1/workorders/"


def test_it_shows_the_timeline_in_order_with_actors_and_status_changes(api, users, county, make_order):
    order = make_order()
    s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east, note="请尽快处理")
    body = api("dispatcher").get(f"{URL}{order.number}/").json()
    assert [e["kind"] for e in body["timeline"]] == ["created", "dispatch"]
    dispatch = body["timeline"][1]
    assert dispatch["label"] == "派单" and dispatch["actor"]["username"] == "dispatcher"
    assert dispatch["from_status"] == "accepted" and dispatch["to_status"] == "dispatched"
    assert dispatch["note"] == "请尽快处理" and dispatch["data"]["after"]["status"] == "dispatched"
    assert dispatch["at"].endswith("+08:00")
    assert body["status"] == "dispatched" and body["version"] == 2 and body["dispatched_at"]


def test_it_lists_the_transitions_this_caller_may_fire_now(api, users, county, make_order):
    order = make_order()
    assert api("agent").get(f"{URL}{order.number}/").json()["transitions"] == [
        "chase",
        "escalate",
        "merge",
        "call_out",
        "reclassify",
        "note",
    ]
    assert api("dispatcher").get(f"{URL}{order.number}/").json()["transitions"] == [
        "dispatch",
        "chase",
        "escalate",
        "merge",
        "call_out",
        "reclassify",
        "note",
    ]
    s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
    assert api("repair").get(f"{URL}{order.number}/").json()["transitions"] == [
        "take",
        "return",
        "suspend",
        "call_out",
        "note",
    ]


def test_it_shows_the_customer_in_full_to_an_agent(api, make_order, customer):
    body = api("agent").get(f"{URL}{make_order().number}/").json()
    info = body["customer_info"]
    assert info["account_no"] == customer.account_no and info["name"] == "张三"
    assert info["phones"] == [{"number": "13812345678", "label": ""}]
    assert info["area"]["manager_name"] == "李台区"
    assert body["caller_phone"] == "13812345678" and body["address"] == customer.address


def test_it_masks_personal_data_for_a_manager(api, users, customer):
    client = api("agent")
    payload = {
        "business_type": "repair",
        "topic": "fault_repair",
        "customer": customer.account_no,
        "caller_phone": "13812345678",
        "description": "停电",
    }
    number = client.post(URL, payload, format="json").json()["number"]
    client.post(URL, {**payload, "caller_phone": "13955556666", "description": "还是停电"}, format="json")
    body = api("manager").get(f"{URL}{number}/").json()
    assert body["caller_phone"] == "138****5678"
    assert body["customer_info"]["phones"] == [{"number": "138****5678", "label": ""}]
    assert "****" in body["address"] and "****" in body["customer_info"]["address"]
    repeat = body["timeline"][-1]
    assert repeat["kind"] == "repeat_call" and repeat["data"]["phone"] == "139****6666"
    assert api("agent").get(f"{URL}{number}/").json()["timeline"][-1]["data"]["phone"] == "13955556666"


def test_an_order_without_customer_has_null_customer_fields(api, users):
    order = s.workorder_intake(
        actor=users["agent"],
        business_type="consultation",
        topic=topic("billing"),
        channel="95598",
        description="咨询",
        caller_phone="13700000000",
    ).order
    body = api("agent").get(f"{URL}{order.number}/").json()
    assert body["customer"] is None and body["customer_info"] is None and body["area"] is None
