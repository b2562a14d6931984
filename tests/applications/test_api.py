"""``/api/v1/applications/``: create with documents (multipart, idempotent), list and detail with steps,
advance or send back a step with the version checked like the order transitions."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from powerdesk.applications.models import Application, DocumentReceipt, StepState
from tests.api.conftest import client_for
from tests.applications.conftest import MONDAY, complete, receive_all, step
from tests.workorders.test_attachments import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(MONDAY, tick=False):
        yield


def create(client, customer, key: str = "", **files):
    body = {"kind": "lv_resident", "customer": customer.account_no, "notice_channel": "portal", **files}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(reverse("api-v1-applications"), body, format="multipart", **headers)


def test_create_with_a_document_answers_the_application_with_its_steps(users, customer):
    answer = create(
        client_for(users["agent"]),
        customer,
        key="app-0001",
        doc_id_card=SimpleUploadedFile("身份证.png", png_bytes(), content_type="image/png"),
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["kind"] == "lv_resident" and body["notice_channel"] == "portal"
    assert [s["code"] for s in body["steps"]] == ["survey"]
    assert body["notice_documents"] == ["id_card", "property_proof"]
    receipt = DocumentReceipt.objects.get()
    assert receipt.document.code == "id_card" and receipt.step.template.code == "survey"


def test_a_retry_with_the_same_key_answers_the_first_application(users, customer):
    client = client_for(users["agent"])
    first = create(client, customer, key="app-0002")
    again = create(client, customer, key="app-0002")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert Application.objects.count() == 1


def test_a_document_whose_content_is_not_its_type_refuses_the_whole_request(users, customer):
    answer = create(
        client_for(users["agent"]),
        customer,
        doc_id_card=SimpleUploadedFile("身份证.png", b"%PDF-1.4 not a picture", content_type="image/png"),
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "validation_error"
    assert not Application.objects.exists()


def test_unknown_kind_or_customer_is_a_clean_error(users, customer):
    client = client_for(users["agent"])
    bad_kind = client.post(
        reverse("api-v1-applications"),
        {"kind": "nope", "customer": customer.account_no, "notice_channel": "sms"},
        format="multipart",
    )
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["error"]["fields"]
    no_customer = client.post(
        reverse("api-v1-applications"),
        {"kind": "rename", "customer": "000", "notice_channel": "sms"},
        format="multipart",
    )
    assert no_customer.status_code == 404


@pytest.mark.parametrize("kind", ["lv_\x00resident", "lv_\ud800resident"])
def test_a_kind_code_the_database_cannot_hold_is_no_such_kind(users, customer, kind):
    # Found by the long schemathesis run: a NUL in a code looked up by DRF's SlugRelatedField reached
    # PostgreSQL and answered 500 (core.api.CodeField).
    body = json.dumps({"kind": kind, "customer": customer.account_no, "notice_channel": "sms"})  # \u escapes
    answer = client_for(users["agent"]).post(
        reverse("api-v1-applications"), body, content_type="application/json"
    )
    assert answer.status_code == 400 and "kind" in answer.json()["error"]["fields"]


def test_list_and_detail_show_the_steps(start, users):
    application = start("lv_business")
    client = client_for(users["handler"])
    listed = client.get(reverse("api-v1-applications"))
    assert listed.status_code == 200
    assert [r["number"] for r in listed.json()["results"]] == [application.order.number]
    detail = client.get(reverse("api-v1-application-detail", args=[application.order.number]))
    assert detail.status_code == 200
    assert (
        detail.json()["steps"][0]["code"] == "scheme"
        and detail.json()["version"] == application.order.version
    )
    order_detail = client.get(reverse("api-v1-workorder-detail", args=[application.order.number]))
    assert order_detail.json()["application"]["kind"] == "lv_business"


def test_advance_with_the_current_version_then_a_stale_one_is_refused(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    receive_all(survey, users["handler"])
    client = client_for(users["handler"])
    url = reverse("api-v1-application-step-complete", args=[application.order.number, survey.pk])
    answer = client.post(url, {"result": "具备条件", "version": application.order.version}, format="json")
    assert answer.status_code == 200, answer.json()
    assert [s["state"] for s in answer.json()["steps"]] == ["done", "active"]
    connect = step(application, "connect")  # the crew's step
    stale = client_for(users["repair"]).post(
        reverse("api-v1-application-step-complete", args=[application.order.number, connect.pk]),
        {"result": "已装表"},
        format="json",
        HTTP_IF_MATCH=f'"{application.order.version}"',
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    assert step(application, "connect").state == StepState.ACTIVE


def test_send_back_through_the_api(start, users):
    application = start("lv_resident")
    client = client_for(users["handler"])
    survey = step(application, "survey")
    receive_all(survey, users["handler"])
    done = client.post(
        reverse("api-v1-application-step-complete", args=[application.order.number, survey.pk]),
        {"result": "具备条件"},
        format="json",
    )
    connect = step(application, "connect")
    answer = client_for(users["repair"]).post(
        reverse("api-v1-application-step-return", args=[application.order.number, connect.pk]),
        {
            "to_step": "survey",
            "reason": "site",
            "note": "表箱位置与勘查不符",
            "version": done.json()["version"],
        },
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    steps = answer.json()["steps"]
    assert [s["state"] for s in steps] == ["done", "returned", "active"]
    assert steps[1]["return_reason"] == "site" and steps[1]["result"] == "表箱位置与勘查不符"


@pytest.mark.parametrize("reason", ["表箱位置与勘查不符", "", None, "retired", "site\x00"])
def test_a_return_reason_that_is_not_an_active_code_is_a_field_error(start, users, reason):
    from powerdesk.applications.models import ReturnReason
    from tests.api.conftest import error

    ReturnReason.objects.create(code="retired", name="停用原因", customer_text="停用", is_active=False)
    application = start("lv_resident")
    complete(step(application, "survey"), users["handler"], MONDAY)
    connect = step(application, "connect")
    answer = client_for(users["repair"]).post(
        reverse("api-v1-application-step-return", args=[application.order.number, connect.pk]),
        {"to_step": "survey", "reason": reason},
        format="json",
    )
    assert answer.status_code == 400, answer.content
    assert "reason" in error(answer)["fields"]
    assert step(application, "connect").state == StepState.ACTIVE


def test_another_units_application_is_not_found(start, users, west_customer):
    application = start("rename", cust=west_customer, dispatch=False)
    answer = client_for(users["west_repair"]).get(
        reverse("api-v1-application-detail", args=[application.order.number])
    )
    assert answer.status_code == 404
