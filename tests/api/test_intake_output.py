"""The intake answers with ``WorkOrderIntakeApi.OutputSerializer``, one instance per masking shared by
the requests of a process: each answer is the order as stored (the service hands back the order it
wrote, not a re-read), in the caller's language and masking, with what that request did."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from powerdesk.org.masking import serializer_masking
from powerdesk.workorders.api import WorkOrderSummaryOutputSerializer
from powerdesk.workorders.models import WorkOrder

URL = "/api/v1/workorders/"


def _body(customer, **overrides):
    return {
        "business_type": "repair",
        "topic": "fault_repair",
        "sub_type": "repair_lv",
        "customer": customer.account_no,
        "caller_phone": "13812345678",
        "description": "家里停电了",
        **overrides,
    }


def _stored(number: str, *, user) -> dict:
    order = WorkOrder.objects.select_related("topic", "unit", "customer", "assignee", "sub_type").get(
        number=number
    )
    return dict(WorkOrderSummaryOutputSerializer(order, context=serializer_masking(user)).data)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_new_order_is_answered_as_stored_in_the_callers_language(language, api, users, customer):
    client = api("agent")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    answer = client.post(URL, _body(customer), format="json").json()
    intake = answer.pop("intake")
    with translation.override(language):
        assert answer == _stored(answer["number"], user=users["agent"])
    assert intake == {
        "created": True,
        "repeat_call": False,
        "replayed": False,
        "contact_count": 1,
        "suggested_action": "",
        "action": "",
        "linked_order": None,
        "extra": {},
    }


def test_a_repeat_call_is_answered_with_the_order_as_it_now_is(api, users, customer):
    client = api("agent")
    client.post(URL, _body(customer), format="json")
    answer = client.post(URL, _body(customer, description="还是没电"), format="json").json()
    intake = answer.pop("intake")
    assert answer == _stored(answer["number"], user=users["agent"])
    assert intake == {
        "created": False,
        "repeat_call": True,
        "replayed": False,
        "contact_count": 2,
        "suggested_action": "link",
        "action": "link",
        "linked_order": None,
        "extra": {},
    }


def test_answers_to_roles_with_and_without_personal_data_do_not_mix(api, customer, west_customer):
    first = api("agent").post(URL, _body(customer), format="json").json()
    masked = api("manager").post(URL, _body(west_customer, caller_phone="13987654321"), format="json").json()
    again = api("agent").post(URL, _body(customer, force_new=True, override_reason="另一处"), format="json")
    assert first["caller_phone"] == "13812345678" and again.json()["caller_phone"] == "13812345678"
    assert masked["caller_phone"] == "139****4321"
