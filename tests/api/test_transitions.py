"""POST /api/v1/workorders/{number}/{transition}/: one endpoint per transition, each calling its service."""

from __future__ import annotations

import pytest

from powerdesk.workorders import services as s
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.transitions import TRANSITIONS
from tests.api.conftest import error

# The service calls that bring a repair order from 已受理 to each state, and who performs them.
PATH = ["dispatched", "in_progress", "on_site", "resolved", "replied", "called_back", "archived"]


def _advance(order: WorkOrder, users, county, to: str) -> WorkOrder:
    steps = {
        "dispatched": lambda o: s.workorder_dispatch(order=o, actor=users["dispatcher"], unit=county.east),
        "in_progress": lambda o: s.workorder_take(order=o, actor=users["repair"]),
        "on_site": lambda o: s.workorder_arrive(order=o, actor=users["repair"]),
        "resolved": lambda o: s.workorder_resolve(order=o, actor=users["repair"], result="更换熔断器"),
        "replied": lambda o: s.workorder_reply(order=o, actor=users["repair"], reply_text="已恢复供电"),
        "called_back": lambda o: s.workorder_callback(
            order=o, actor=users["callback"], satisfaction="satisfied"
        ),
        "archived": lambda o: s.workorder_archive(order=o, actor=users["callback"]),
    }
    if to == "accepted":
        return order
    if to == "merged":
        parent = s.workorder_intake(
            actor=users["agent"],
            business_type=order.business_type,
            topic=order.topic,
            channel="95598",
            description="主工单",
            caller_phone="13800000000",
            force_new=True,
            override_reason="测试",
        ).order
        return s.workorder_merge(order=order, actor=users["agent"], parent=parent)
    if to == "suspended":
        order = _advance(order, users, county, "dispatched")
        return s.workorder_suspend(order=order, actor=users["dispatcher"], reason="等待客户在家")
    for state in PATH[: PATH.index(to) + 1]:
        order = steps[state](order)
    return order


def _url(order: WorkOrder, code: str) -> str:
    return f"/api/v1/workorders/{order.number}/{code}/"


# code: (starting state, actor, body, expected status, a check on the order afterwards)
HAPPY = {
    "dispatch": (
        "accepted",
        "dispatcher",
        lambda c, u: {"unit": c.east.pk, "assignee": "repair"},
        "dispatched",
        lambda o, c, u: o.unit == c.east and o.assignee == u["repair"],
    ),
    "take": (
        "dispatched",
        "repair",
        lambda c, u: {},
        "in_progress",
        lambda o, c, u: o.assignee == u["repair"],
    ),
    "arrive": (
        "in_progress",
        "repair",
        lambda c, u: {"note": "已到达"},
        "on_site",
        lambda o, c, u: o.arrived_at is not None,
    ),
    "resolve": (
        "on_site",
        "repair",
        lambda c, u: {"result": "更换熔断器，已复电"},
        "resolved",
        lambda o, c, u: o.result == "更换熔断器，已复电",
    ),
    "reply": (
        "resolved",
        "repair",
        lambda c, u: {"reply_text": "已恢复供电"},
        "replied",
        lambda o, c, u: o.reply_text == "已恢复供电",
    ),
    "callback": (
        "replied",
        "callback",
        lambda c, u: {"satisfaction": "satisfied", "resolved": True},
        "called_back",
        lambda o, c, u: o.satisfaction == "satisfied" and o.callback_resolved is True,
    ),
    "archive": (
        "called_back",
        "callback",
        lambda c, u: {},
        "archived",
        lambda o, c, u: o.closed_at is not None,
    ),
    "transfer": (
        "dispatched",
        "dispatcher",
        lambda c, u: {"unit": c.west.pk, "reason": "属西岭供电所辖区"},
        "dispatched",
        lambda o, c, u: o.unit == c.west,
    ),
    "return": (
        "in_progress",
        "repair",
        lambda c, u: {"reason": "非本所辖区"},
        "returned",
        lambda o, c, u: o.unit == c.county,
    ),
    "suspend": (
        "dispatched",
        "dispatcher",
        lambda c, u: {"reason": "客户要求改日处理", "reason_code": ""},
        "suspended",
        lambda o, c, u: o.status_before_suspend == "dispatched",
    ),
    "resume": ("suspended", "dispatcher", lambda c, u: {}, "dispatched", lambda o, c, u: True),
    "chase": (
        "accepted",
        "agent",
        lambda c, u: {"note": "客户催促"},
        "accepted",
        lambda o, c, u: o.chase_count == 1,
    ),
    "escalate": (
        "accepted",
        "agent",
        lambda c, u: {"reason": "涉及医院供电"},
        "accepted",
        lambda o, c, u: o.escalation_level == 1 and o.is_flagged,
    ),
    "reopen": (
        "called_back",
        "callback",
        lambda c, u: {"reason": "客户反映问题复现"},
        "accepted",
        lambda o, c, u: o.reopen_count == 1,
    ),
    "call_out": (
        "dispatched",
        "dispatcher",
        lambda c, u: {"number": "13812345678", "reached": False, "note": "无人接听"},
        "dispatched",
        lambda o, c, u: o.events.filter(kind="call_out", data__reached=False).exists(),
    ),
    "reclassify": (
        "dispatched",
        "dispatcher",
        lambda c, u: {"business_type": "complaint", "topic": "communication", "reason": "客户投诉服务态度"},
        "dispatched",
        lambda o, c, u: o.business_type == "complaint" and o.topic.code == "communication",
    ),
    "note": (
        "accepted",
        "agent",
        lambda c, u: {"text": "客户留了备用电话"},
        "accepted",
        lambda o, c, u: o.events.filter(kind="note").exists(),
    ),
}


def test_every_transition_has_an_endpoint_test():
    # cancel_by_customer: the portal's own (tests/portal); no staff role may fire it (below).
    assert set(HAPPY) | {"answer", "merge", "cancel_by_customer"} == set(TRANSITIONS)


def test_no_staff_role_may_cancel_for_the_customer(api, make_order):
    order = make_order()
    for role in ("agent", "dispatcher", "manager"):
        body = {"version": order.version}
        response = api(role).post(_url(order, "cancel_by_customer"), body, format="json")
        assert response.status_code == 403, (role, response.json())
    order.refresh_from_db()
    assert order.status == "accepted"


@pytest.mark.parametrize("code", sorted(HAPPY))
def test_each_transition_endpoint_moves_the_order(code, api, users, county, make_order):
    start, actor, body, expected, check = HAPPY[code]
    order = _advance(make_order(), users, county, start)
    response = api(actor).post(
        _url(order, code), {**body(county, users), "version": order.version}, format="json"
    )
    assert response.status_code == 200, response.json()
    payload = response.json()
    order.refresh_from_db()
    assert payload["status"] == order.status == expected
    assert payload["version"] == order.version
    assert payload["timeline"][-1]["kind"] == TRANSITIONS[code].event
    assert check(order, county, users)


def test_answer_closes_a_consultation_on_the_first_reply(api, make_order):
    order = make_order(business_type="consultation", topic_code="billing")
    response = api("agent").post(_url(order, "answer"), {"answer": "峰谷电价按时段计费"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "archived"


def test_merge_joins_an_order_into_its_parent(api, make_order):
    parent, child = make_order(), make_order(description="同一台区停电")
    response = api("agent").post(_url(child, "merge"), {"parent": parent.number}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "merged" and response.json()["parent"] == parent.number
    parent.refresh_from_db()
    assert parent.contact_count == 2


def test_merge_into_an_unknown_order_is_a_field_error(api, make_order):
    response = api("agent").post(_url(make_order(), "merge"), {"parent": "00000000000000"}, format="json")
    assert response.status_code == 400 and error(response)["fields"] == {"parent": ["找不到该工单。"]}


# A merged order refuses every transition but a note (which is allowed from every state).
REFUSED_BODY = {
    "dispatch": lambda c: {"unit": c.east.pk},
    "transfer": lambda c: {"unit": c.west.pk, "reason": "x"},
    "callback": lambda c: {"satisfaction": "satisfied"},
    "merge": lambda c: None,
    "reclassify": lambda c: {"business_type": "complaint", "topic": "communication"},
    "call_out": lambda c: {"number": "13812345678"},
}


@pytest.mark.parametrize("code", sorted(set(TRANSITIONS) - {"note", "cancel_by_customer"}))
def test_a_transition_from_the_wrong_state_is_refused_with_409_in_chinese(
    code, api, users, county, make_order
):
    order = _advance(make_order(), users, county, "merged")
    body = {f.name: "原因" for f in TRANSITIONS[code].fields if f.required}
    body.update(REFUSED_BODY.get(code, lambda c: {})(county) or {})
    if code == "merge":
        body["parent"] = make_order(description="另一张").number
    before = order.version
    response = api("manager").post(_url(order, code), body, format="json")
    assert response.status_code == 409, response.json()
    err = error(response)
    assert err["code"] == "transition_not_allowed"
    assert f"不能执行“{TRANSITIONS[code].label}”" in err["message"]
    order.refresh_from_db()
    assert order.version == before


def test_a_note_without_text_is_a_field_error(api, make_order):
    response = api("agent").post(_url(make_order(), "note"), {"text": "  "}, format="json")
    assert response.status_code == 400 and "text" in error(response)["fields"]


def test_a_business_rule_refusal_explains_itself(api, users, county, make_order):
    """A repair order must record the arrival before it is resolved."""
    order = _advance(make_order(), users, county, "in_progress")
    response = api("repair").post(_url(order, "resolve"), {"result": "已修复"}, format="json")
    assert response.status_code == 409
    assert error(response)["message"] == "故障报修工单须先记录到达现场，才能处理完成。"


@pytest.mark.parametrize("how", ["body", "if-match"])
def test_a_stale_version_is_a_409_conflict_and_changes_nothing(how, api, users, county, make_order):
    order = _advance(make_order(), users, county, "dispatched")
    stale = order.version - 1
    body, headers = ({"version": stale}, {}) if how == "body" else ({}, {"HTTP_IF_MATCH": f'"{stale}"'})
    response = api("repair").post(_url(order, "take"), body, format="json", **headers)
    assert response.status_code == 409
    err = error(response)
    assert err["code"] == "version_conflict" and "工单已被他人修改" in err["message"]
    order.refresh_from_db()
    assert order.status == "dispatched" and order.assignee is None and order.events.count() == 2


def test_the_current_version_in_if_match_is_accepted(api, users, county, make_order):
    order = _advance(make_order(), users, county, "dispatched")
    response = api("repair").post(
        _url(order, "take"), {}, format="json", HTTP_IF_MATCH=f'W/"{order.version}"'
    )
    assert response.status_code == 200 and response.json()["version"] == order.version + 1


def test_the_etag_of_the_detail_works_as_if_match(api, users, county, make_order):
    order = _advance(make_order(), users, county, "dispatched")
    client = api("repair")
    etag = client.get(f"/api/v1/workorders/{order.number}/")["ETag"]
    assert etag == f'"{order.version}"'
    response = client.post(_url(order, "take"), {}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] == f'"{order.version + 1}"'
    assert client.post(_url(order, "arrive"), {}, format="json", HTTP_IF_MATCH=etag).status_code == 409


def test_a_body_version_that_contradicts_if_match_is_a_400(api, users, county, make_order):
    order = _advance(make_order(), users, county, "dispatched")
    response = api("repair").post(
        _url(order, "take"), {"version": order.version}, format="json", HTTP_IF_MATCH=str(order.version + 1)
    )
    assert response.status_code == 400 and "version" in error(response)["fields"]


def test_a_garbled_if_match_is_a_400(api, users, county, make_order):
    order = _advance(make_order(), users, county, "dispatched")
    response = api("repair").post(_url(order, "take"), {}, format="json", HTTP_IF_MATCH="abc")
    assert response.status_code == 400 and "If-Match" in error(response)["fields"]


def test_dispatch_validates_the_unit_and_the_assignee(api, county, make_order):
    order = make_order()
    response = api("dispatcher").post(
        _url(order, "dispatch"), {"unit": 10**12, "assignee": "nobody"}, format="json"
    )
    assert response.status_code == 400
    assert error(response)["fields"] == {"unit": ["找不到该单位。"], "assignee": ["找不到该员工。"]}
    response = api("dispatcher").post(_url(order, "dispatch"), {"unit": county.east_area.pk}, format="json")
    assert response.status_code == 400 and "unit" in error(response)["fields"]


def test_dispatch_takes_the_assignee_by_id_too(api, users, county, make_order):
    order = make_order()
    response = api("dispatcher").post(
        _url(order, "dispatch"), {"unit": county.east.pk, "assignee": str(users["repair"].pk)}, format="json"
    )
    assert response.status_code == 200 and response.json()["assignee"]["username"] == "repair"


def test_a_callback_needs_a_known_satisfaction(api, users, county, make_order):
    order = _advance(make_order(), users, county, "replied")
    response = api("callback").post(_url(order, "callback"), {"satisfaction": "happy"}, format="json")
    assert response.status_code == 400 and "satisfaction" in error(response)["fields"]
