"""POST /api/v1/workorders/: a contact opens an order, or is linked to the order it repeats."""

from __future__ import annotations

import pytest

from powerdesk.workorders.choices import Status
from powerdesk.workorders.models import Contact, WorkOrder
from tests.api.conftest import client_for, error
from tests.factories import UserFactory
from tests.workorders.helpers import walk

URL = "/api/v1/workorders/"


def _body(customer, **overrides):
    return {
        "business_type": "repair",
        "topic": "fault_repair",
        "customer": customer.account_no,
        "caller_name": "张三",
        "caller_phone": "13812345678",
        "description": "家里停电了",
        **overrides,
    }


def test_it_opens_an_order_and_answers_201_with_the_summary(api, customer, county):
    response = api("agent").post(URL, _body(customer, sub_type="repair_lv", facts={"楼层": 3}), format="json")
    assert response.status_code == 201
    body = response.json()
    order = WorkOrder.objects.get(number=body["number"])
    assert response["Location"] == f"http://testserver/api/v1/workorders/{order.number}/"
    assert api("agent").get(response["Location"]).json()["number"] == order.number
    assert body["status"] == "accepted" and body["status_label"] == "已受理"
    assert body["version"] == 1 and body["business_type"] == "repair" and body["sub_type"] == "repair_lv"
    assert body["topic"] == "fault_repair" and body["channel"] == "95598" and body["priority"] == 1
    assert body["unit"] == {"id": county.county.pk, "code": "C1", "name": "青溪县供电公司"}
    assert body["customer"] == customer.account_no and body["caller_phone"] == "13812345678"
    assert (
        body["contact_count"] == 1 and body["is_flagged"] is False and body["created_at"].endswith("+08:00")
    )
    assert body["intake"] == {
        "created": True,
        "repeat_call": False,
        "replayed": False,
        "contact_count": 1,
        "suggested_action": "",
        "action": "",
        "linked_order": None,
        "extra": {},
    }
    assert order.facts == {"楼层": 3} and order.owner.username == "agent"


def test_it_takes_a_contact_without_a_customer_when_the_caller_gives_a_phone(api):
    body = {
        "business_type": "consultation",
        "topic": "billing",
        "caller_phone": "0571-8888 1234",
        "description": "咨询峰谷电价",
        "channel": "wechat",
        "priority": 2,
    }
    response = api("agent").post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["customer"] is None and response.json()["channel"] == "wechat"
    assert response.json()["priority"] == 2


def test_a_repeat_call_is_linked_to_the_open_order_with_200_and_the_count(api, customer):
    client = api("agent")
    first = client.post(URL, _body(customer), format="json").json()
    second = client.post(URL, _body(customer, description="还是没电"), format="json")
    assert second.status_code == 200
    body = second.json()
    assert body["number"] == first["number"] and body["contact_count"] == 2 and body["version"] == 2
    assert body["intake"] == {
        "created": False,
        "repeat_call": True,
        "replayed": False,
        "contact_count": 2,
        "suggested_action": "link",
        "action": "link",
        "linked_order": None,
        "extra": {},
    }
    assert WorkOrder.objects.count() == 1 and Contact.objects.filter(is_repeat=True).count() == 1


def test_the_third_call_flags_the_order_and_raises_its_priority(api, customer):
    client = api("agent")
    for text in ("停电了", "还是没电", "第三次打来"):
        response = client.post(URL, _body(customer, description=text), format="json")
    body = response.json()
    assert response.status_code == 200 and body["contact_count"] == 3
    assert body["is_flagged"] is True and body["priority"] == 2


def test_force_new_without_a_reason_is_a_field_error(api, customer):
    client = api("agent")
    client.post(URL, _body(customer), format="json")
    response = client.post(URL, _body(customer, force_new=True), format="json")
    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "validation_error" and "override_reason" in err["fields"]
    assert WorkOrder.objects.count() == 1


def test_force_new_with_a_reason_opens_a_second_order(api, customer):
    client = api("agent")
    client.post(URL, _body(customer), format="json")
    response = client.post(URL, _body(customer, force_new=True, override_reason="另一处房产"), format="json")
    assert response.status_code == 201 and response.json()["intake"]["created"] is True
    assert WorkOrder.objects.count() == 2
    first = WorkOrder.objects.order_by("id").first()
    assert response.json()["intake"]["linked_order"] == {"number": first.number, "kind": "related"}


def _archived_fault(api, customer, users, county) -> WorkOrder:
    number = api("agent").post(URL, _body(customer), format="json").json()["number"]
    return walk(WorkOrder.objects.get(number=number), users, county, Status.ARCHIVED)


def test_a_fault_call_after_archive_opens_an_order_linked_as_recurrence_by_default(
    api, customer, users, county
):
    """An IVR call with no agent's choice gets the rule's default, and the answer names the earlier order."""
    first = _archived_fault(api, customer, users, county)

    response = api("agent").post(URL, _body(customer, description="修好后又停电了"), format="json")

    assert response.status_code == 201
    intake = response.json()["intake"]
    assert (intake["created"], intake["repeat_call"]) == (True, False)
    assert (intake["suggested_action"], intake["action"]) == ("recur", "recur")
    assert intake["linked_order"] == {"number": first.number, "kind": "recurrence"}
    # Both orders' answers show the link.
    new = api("agent").get(response["Location"]).json()
    assert [(link["direction"], link["kind"], link["number"]) for link in new["links"]] == [
        ("earlier", "recurrence", first.number)
    ]
    old = api("agent").get(f"{URL}{first.number}/").json()
    assert [(link["direction"], link["number"]) for link in old["links"]] == [("later", new["number"])]
    assert old["status"] == "archived" and old["timeline"][-1]["kind"] == "linked"


def test_the_api_may_override_the_rule_with_a_reason(api, customer, users, county):
    first = _archived_fault(api, customer, users, county)
    client = api("agent")

    refused = client.post(URL, _body(customer, repeat_action="link"), format="json")
    assert refused.status_code == 400 and "override_reason" in error(refused)["fields"]
    bad = client.post(URL, _body(customer, repeat_action="bogus"), format="json")
    assert bad.status_code == 400 and "repeat_action" in error(bad)["fields"]

    response = client.post(
        URL, _body(customer, repeat_action="link", override_reason="问进度"), format="json"
    )
    assert response.status_code == 200
    intake = response.json()["intake"]
    assert (intake["repeat_call"], intake["suggested_action"], intake["action"]) == (True, "recur", "link")
    assert response.json()["number"] == first.number


def test_unknown_codes_are_field_errors(api, customer):
    response = api("agent").post(
        URL,
        {**_body(customer, topic="no_such_topic", sub_type="no_such_sub"), "customer": "9999999999"},
        format="json",
    )
    assert response.status_code == 400
    fields = error(response)["fields"]
    assert fields["topic"] == ["找不到该业务分类。"] and fields["sub_type"] == ["找不到该业务子类。"]
    assert fields["customer"] == ["找不到该客户。"]


def test_a_sub_type_of_another_business_type_is_refused(api, customer):
    response = api("agent").post(URL, _body(customer, sub_type="complaint_service"), format="json")
    assert response.status_code == 400 and "sub_type" in error(response)["fields"]


def test_a_customer_outside_the_callers_units_is_reported_as_not_found(west_customer, county):
    east_agent = UserFactory.with_role("agent", county.east, username="east_agent")
    response = client_for(east_agent).post(URL, _body(west_customer), format="json")
    assert response.status_code == 400
    assert error(response)["fields"] == {"customer": ["找不到该客户。"]}


def test_required_fields_are_listed_in_chinese(api):
    response = api("agent").post(URL, {}, format="json")
    assert response.status_code == 400
    fields = error(response)["fields"]
    assert {"business_type", "topic", "description"} <= set(fields)
    assert fields["description"] == ["该字段是必填项。"]


def test_a_contact_with_neither_customer_nor_phone_nor_address_is_refused(api):
    response = api("agent").post(
        URL, {"business_type": "repair", "topic": "fault_repair", "description": "停电"}, format="json"
    )
    assert response.status_code == 400 and "customer" in error(response)["fields"]


def test_a_role_that_does_not_take_calls_gets_403(api, customer):
    response = api("repair").post(URL, _body(customer), format="json")
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert WorkOrder.objects.count() == 0


def test_the_location_follows_the_script_prefix(api, customer):
    """Served under a prefix (gunicorn's SCRIPT_NAME; WSGIHandler sets it per request, the test client
    does not), the Location carries it; the cached route template is per prefix."""
    from django.templatetags.static import static
    from django.urls import set_script_prefix

    # The static storage and STATIC_URL keep the prefix of their first use in this process; made here at
    # the root, the prefixed request below cannot leave /desk/static/ behind for later tests.
    static("favicon.svg")
    client = api("agent")
    try:
        set_script_prefix("/desk/")
        under_prefix = client.post(URL, _body(customer), format="json")
    finally:
        set_script_prefix("/")
    at_root = client.post(URL, _body(customer, topic="billing", business_type="consultation"), format="json")
    assert (
        under_prefix["Location"]
        == f"http://testserver/desk/api/v1/workorders/{under_prefix.json()['number']}/"
    )
    assert at_root["Location"] == f"http://testserver/api/v1/workorders/{at_root.json()['number']}/"


@pytest.mark.parametrize("phone", ["abc-12", "12345", "0571-8888"])
def test_a_bad_phone_is_a_field_error(api, customer, phone):
    response = api("agent").post(URL, _body(customer, caller_phone=phone), format="json")
    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "validation_error" and list(err["fields"]) == ["caller_phone"]
    assert "请输入有效的电话号码" in err["fields"]["caller_phone"][0]
    assert WorkOrder.objects.count() == 0


def test_the_phone_is_answered_and_stored_normalised(api, customer):
    body = _body(customer, caller_phone="0571-8888 1234 转 808")
    response = api("agent").post(URL, body, format="json")
    assert response.status_code == 201 and response.json()["caller_phone"] == "057188881234-808"


def test_an_ivr_call_without_caller_id_says_withheld(api):
    body = {"business_type": "report", "topic": "billing", "description": "匿名举报", "caller_withheld": True}
    response = api("agent").post(URL, body, format="json")
    assert response.status_code == 201
    detail = api("agent").get(response["Location"]).json()
    assert detail["caller_phone"] == "" and detail["caller_withheld"] is True
