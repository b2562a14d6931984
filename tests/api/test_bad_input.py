"""Whatever a client sends, the answer is a 4xx with the stable error body, never a 500."""

from __future__ import annotations

import json

import pytest

from powerdesk.workorders.models import WorkOrder
from tests.api.conftest import error

URL = "/api/v1/workorders/"


def _body(who, **overrides):
    return {
        "business_type": "repair",
        "topic": "fault_repair",
        "customer": who.account_no,
        "caller_phone": "13812345678",
        "description": "家里停电了",
        **overrides,
    }


def _post_raw(client, url, raw: bytes | str, content_type="application/json"):
    return client.generic("POST", url, raw, content_type=content_type)


@pytest.mark.parametrize(
    "raw", ['{"business_type": ', "not json", '{"a": NaN}', b"\xff\xfe\x00", "[" * 100000]
)
def test_malformed_json_is_a_400_parse_error(raw, api):
    response = _post_raw(api("agent"), URL, raw)
    assert response.status_code == 400
    assert error(response)["code"] == "parse_error"


def test_a_json_array_instead_of_an_object_is_a_400(api):
    response = api("agent").post(URL, [1, 2], format="json")
    assert response.status_code == 400 and error(response)["code"] == "validation_error"


def test_form_data_is_an_unsupported_media_type(api, customer):
    response = api("agent").post(URL, _body(customer), format="multipart")
    assert response.status_code == 415 and error(response)["code"] == "unsupported_media_type"


def test_an_unsupported_method_is_a_405_with_the_stable_body(api, make_order):
    response = api("agent").delete(f"{URL}{make_order().number}/")
    assert response.status_code == 405 and error(response)["code"] == "method_not_allowed"


def test_a_body_past_the_size_limit_is_a_413(api, settings, customer):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api("agent").post(URL, _body(customer, description="电" * 2000), format="json")
    assert response.status_code == 413 and error(response)["code"] == "request_too_large"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": "x" * 5001}, "description"),
        ({"caller_name": "名" * 51}, "caller_name"),
        ({"caller_phone": "1" * 33}, "caller_phone"),
        ({"caller_phone": "call me"}, "caller_phone"),
        ({"address": "路" * 201}, "address"),
        ({"customer": "1" * 21}, "customer"),
        ({"topic": "t" * 33}, "topic"),
        ({"override_reason": "r" * 501}, "override_reason"),
        ({"description": None}, "description"),
        ({"business_type": None}, "business_type"),
        ({"force_new": None}, "force_new"),
        ({"description": "停电\x00了"}, "description"),
        ({"description": "\ud800"}, "description"),
        ({"priority": 10**30}, "priority"),
        ({"priority": 1.5}, "priority"),
        ({"priority": "urgent"}, "priority"),
        ({"channel": 95598.5}, "channel"),
        ({"facts": "not an object"}, "facts"),
        ({"facts": {"k": "a\x00b"}}, "facts"),
        ({"facts": {"k\x00": 1}}, "facts"),
        ({"facts": {"k": 1e300}}, "facts"),  # sent as 1e400 (see the test body): a float infinity
        ({"facts": {"k": [2**64]}}, "facts"),  # JSON integers have no bound; jsonb's writer takes 64 bits
        ({"facts": {"k": -(2**63) - 1}}, "facts"),
        ({"facts": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": 1}}}}}}}}}}}, "facts"),
        ({"facts": {"k": "x" * 30000}}, "facts"),
    ],
)
def test_bad_intake_fields_are_400_field_errors(overrides, field, api, customer):
    raw = json.dumps(_body(customer, **overrides)).replace("1e+300", "1e400")
    response = _post_raw(api("agent"), URL, raw)
    assert response.status_code == 400, response.content
    assert field in error(response)["fields"]
    assert WorkOrder.objects.count() == 0


def test_unicode_text_is_stored_as_sent(api, customer):
    text = "停电了 ⚡️ 𠀀𪚥 — Ünïcödé"
    response = api("agent").post(
        URL,
        _body(customer, description=text, caller_name="😀", facts={"备注": ["多", {"层": True}], "数": 3.5}),
        format="json",
    )
    assert response.status_code == 201
    order = WorkOrder.objects.get(number=response.json()["number"])
    assert (
        order.description == text
        and order.caller_name == "😀"
        and order.facts["备注"] == ["多", {"层": True}]
    )


@pytest.mark.parametrize(
    "body",
    [
        {"unit": 2**63},
        {"unit": -1},
        {"unit": "east"},
        {"unit": None},
        {"unit": 1, "version": 2**31},
        {"unit": 1, "version": 0},
        {"unit": 1, "version": "latest"},
        {"unit": 1, "assignee": "u" * 151},
        {"unit": 1, "note": "n" * 5001},
        {"unit": 1, "note": None},
    ],
)
def test_bad_transition_input_is_a_400(body, api, make_order):
    order = make_order()
    response = api("dispatcher").post(f"{URL}{order.number}/dispatch/", body, format="json")
    assert response.status_code == 400, response.json()
    assert error(response)["code"] == "validation_error"
    order.refresh_from_db()
    assert order.status == "accepted"


def test_a_merge_parent_with_odd_characters_is_a_field_error(api, make_order):
    response = api("agent").post(f"{URL}{make_order().number}/merge/", {"parent": "a\x00b"}, format="json")
    assert response.status_code == 400 and "parent" in error(response)["fields"]
    response = api("agent").post(f"{URL}{make_order().number}/merge/", {"parent": "订单/../1"}, format="json")
    assert response.status_code == 400 and error(response)["fields"] == {"parent": ["找不到该工单。"]}
