"""A 业务办理 order taken through the ordinary intake (the console's order form, the API's
``POST /api/v1/workorders/``) is an application like one taken on the hall clerk's form: the kind from
its sub-type (低压新装 by the customer's type), its steps and clocks, the 一次性告知 record."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from powerdesk.applications.models import Application, StepState
from powerdesk.sla.models import Clock, ClockKind
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from tests.api.conftest import client_for
from tests.applications.conftest import MONDAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def _form(customer, sub_type: str, **extra) -> dict:
    return {
        "customer": customer.account_no,
        "idempotency_key": f"console-app-{customer.pk}-{sub_type}",
        "channel": "hall",
        "caller_phone": "13812345678",
        "business_type": "application",
        "topic": "business_env",
        "sub_type": sub_type,
        "description": "申请办理",
        **extra,
    }


def _application(order: WorkOrder) -> Application:
    return Application.objects.select_related("kind", "process_clock").get(order=order)


def test_the_console_intake_opens_the_application_with_its_steps_clocks_and_notice(client, users, customer):
    client.force_login(users["agent"])
    answer = client.post(reverse("workorders:new"), _form(customer, "app_rename", application_notice="sms"))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    order = WorkOrder.objects.get(business_type="application")
    application = _application(order)
    assert application.kind.code == "rename"
    assert application.notice_channel == "sms" and application.notice_documents
    assert application.notice_given_by == users["agent"]
    running = application.steps.filter(state=StepState.ACTIVE)
    assert running.exists()
    clocks = set(Clock.objects.filter(order=order).values_list("kind", flat=True))
    assert ClockKind.APP_PROCESS in clocks and ClockKind.REPLY not in clocks
    order.refresh_from_db()
    assert order.due_at is not None
    kinds = list(WorkOrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds.count("app_started") == 1 and kinds.count("created") == 1


def test_the_intake_form_offers_the_notice_lists(client, users, customer):
    client.force_login(users["agent"])
    page = client.get(reverse("workorders:new") + "?business_type=application").content.decode()
    assert 'name="application_notice"' in page and "一次性告知" in page
    assert "低压居民新装" in page


def test_a_low_voltage_order_of_a_business_is_the_non_residential_kind(client, users, business_customer):
    client.force_login(users["agent"])
    answer = client.post(reverse("workorders:new"), _form(business_customer, "app_new_lv"))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    application = _application(WorkOrder.objects.get(business_type="application"))
    assert application.kind.code == "lv_business"
    assert application.notice_channel == "printed"  # the hall's default when the form says nothing


def test_the_api_intake_opens_the_application(users, customer):
    body = {
        "business_type": "application",
        "topic": "business_env",
        "sub_type": "app_new_lv",
        "channel": "hall",
        "customer": customer.account_no,
        "caller_phone": "13812345678",
        "description": "新装申请",
    }
    answer = client_for(users["agent"]).post("/api/v1/workorders/", body, format="json")
    assert answer.status_code == 201, answer.content
    number = answer.json()["number"]
    application = _application(WorkOrder.objects.get(number=number))
    assert application.kind.code == "lv_resident"
    assert application.steps.filter(state=StepState.ACTIVE).exists()
    detail = client_for(users["agent"]).get(f"/api/v1/workorders/{number}/").json()
    assert detail["application"]["kind"] == "lv_resident"


def test_an_api_retry_opens_one_application(users, customer):
    body = {
        "business_type": "application",
        "topic": "business_env",
        "sub_type": "app_rename",
        "channel": "hall",
        "customer": customer.account_no,
        "caller_phone": "13812345678",
        "description": "更名",
    }
    api = client_for(users["agent"])
    first = api.post("/api/v1/workorders/", body, format="json", HTTP_IDEMPOTENCY_KEY="app-retry-1")
    again = api.post("/api/v1/workorders/", body, format="json", HTTP_IDEMPOTENCY_KEY="app-retry-1")
    assert first.status_code == 201 and again.status_code == 200
    assert Application.objects.count() == 1


def test_an_application_order_of_a_sub_type_without_kind_stays_a_plain_order(users, customer):
    from powerdesk.applications.models import ApplicationKind

    ApplicationKind.objects.filter(sub_type__code="app_rename").update(is_active=False)
    body = {
        "business_type": "application",
        "topic": "business_env",
        "sub_type": "app_rename",
        "channel": "hall",
        "customer": customer.account_no,
        "caller_phone": "13812345678",
        "description": "更名",
    }
    answer = client_for(users["agent"]).post("/api/v1/workorders/", body, format="json")
    assert answer.status_code == 201
    assert not Application.objects.exists()


def _api_body(customer, **extra) -> dict:
    return {
        "business_type": "application",
        "topic": "business_env",
        "sub_type": "app_rename",
        "channel": "95598",
        "customer": customer.account_no,
        "caller_phone": "13812345678",
        "description": "更名",
        **extra,
    }


@pytest.mark.parametrize("given", ["sms", "portal", "printed"])
def test_the_api_intake_records_how_the_notice_was_given(users, customer, given):
    answer = client_for(users["agent"]).post(
        "/api/v1/workorders/", _api_body(customer, application_notice=given), format="json"
    )
    assert answer.status_code == 201, answer.content
    application = _application(WorkOrder.objects.get(number=answer.json()["number"]))
    assert application.notice_channel == given
    started = WorkOrderEvent.objects.get(order=application.order, kind="app_started")
    assert started.data["notice_channel"] == given  # on the timeline, as the console form records it
    detail = client_for(users["agent"]).get(f"/api/v1/workorders/{application.order.number}/").json()
    assert detail["application"]["notice_channel"] == given


def test_the_api_intake_without_the_notice_channel_records_the_default(users, customer):
    answer = client_for(users["agent"]).post("/api/v1/workorders/", _api_body(customer), format="json")
    assert answer.status_code == 201, answer.content
    assert _application(WorkOrder.objects.get(number=answer.json()["number"])).notice_channel == "printed"


@pytest.mark.parametrize("bad", ["fax", 3, ["sms"], "sms\x00"])
def test_an_unknown_notice_channel_is_a_field_error_and_nothing_is_written(users, customer, bad):
    from tests.api.conftest import error

    answer = client_for(users["agent"]).post(
        "/api/v1/workorders/", _api_body(customer, application_notice=bad), format="json"
    )
    assert answer.status_code == 400, answer.content
    body = error(answer)
    assert body["code"] == "validation_error" and "application_notice" in body["fields"]
    assert not WorkOrder.objects.exists() and not Application.objects.exists()


def test_the_notice_channel_of_another_business_type_is_ignored(users, customer):
    body = {**_api_body(customer, application_notice="sms"), "business_type": "consultation"}
    body.update(topic="billing", sub_type="")
    answer = client_for(users["agent"]).post("/api/v1/workorders/", body, format="json")
    assert answer.status_code == 201, answer.content
    assert not Application.objects.exists()


def test_the_intake_schema_documents_the_notice_channel(tmp_path):
    import yaml
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))
    schema = yaml.safe_load(out.read_text(encoding="utf-8"))
    field = schema["components"]["schemas"]["WorkOrderIntakeInputRequest"]["properties"]["application_notice"]
    enum_ref = field.get("oneOf", field.get("allOf", [field]))[0]
    if "$ref" in enum_ref:
        enum_ref = schema["components"]["schemas"][enum_ref["$ref"].rsplit("/", 1)[1]]
    assert {"printed", "sms", "portal"} <= set(enum_ref["enum"])
    assert "application_notice" not in schema["components"]["schemas"]["WorkOrderIntakeInputRequest"].get(
        "required", []
    )
