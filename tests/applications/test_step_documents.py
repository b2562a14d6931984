"""A step is done once the documents it requires were received for it — or with a reason recorded (已在营销
系统核验, 客户已当面出示原件), kept on the step and on the step-done event; the order panel lists each running
step's documents, received or missing."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from powerdesk.applications.models import DocumentType, StepState
from powerdesk.applications.services import application_document_receive, application_step_complete
from powerdesk.core.errors import ValidationFailed
from powerdesk.workorders.models import WorkOrderEvent
from tests.api.conftest import client_for as api_client_for
from tests.applications.conftest import MONDAY, at, step
from tests.applications.test_views import client_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def receive(survey, users, code: str) -> None:
    with time_machine.travel(MONDAY, tick=False):
        application_document_receive(
            step=survey,
            actor=users["handler"],
            document=DocumentType.objects.get(code=code),
            upload=SimpleUploadedFile(f"{code}.pdf", PDF, content_type="application/pdf"),
        )


def test_a_step_with_a_missing_document_is_refused(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    receive(survey, users, "id_card")  # the property proof is still missing
    with time_machine.travel(at(2026, 11, 17), tick=False), pytest.raises(ValidationFailed) as refused:
        application_step_complete(step=survey, actor=users["handler"], result="具备装表条件")
    assert refused.value.code == "documents_missing"
    [message] = refused.value.fields["document_reason"]
    assert "房屋产权证明或使用证明" in message and "申请人有效身份证明" not in message
    survey.refresh_from_db()
    assert survey.state == StepState.ACTIVE
    assert not WorkOrderEvent.objects.filter(order=application.order, kind="app_step_done").exists()


def test_received_documents_let_the_step_complete_and_it_writes_its_event(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    receive(survey, users, "id_card")
    receive(survey, users, "property_proof")
    with time_machine.travel(at(2026, 11, 17), tick=False):
        application_step_complete(step=survey, actor=users["handler"], result="具备装表条件")
    survey.refresh_from_db()
    assert survey.state == StepState.DONE and survey.document_reason == ""
    [event] = WorkOrderEvent.objects.filter(order=application.order, kind="app_step_done")
    assert event.data["step"] == "survey" and event.note == "具备装表条件"
    assert "missing_documents" not in event.data
    page = client_for(users["handler"]).get(reverse("workorders:detail", args=[application.order.number]))
    assert "办理环节完成" in page.content.decode()  # the step-done event on the timeline


def test_a_reason_lets_the_step_complete_and_shows_on_the_timeline(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    with time_machine.travel(at(2026, 11, 17), tick=False):
        application_step_complete(
            step=survey, actor=users["handler"], result="具备装表条件", document_reason="客户已当面出示原件"
        )
    survey.refresh_from_db()
    assert survey.state == StepState.DONE and survey.document_reason == "客户已当面出示原件"
    [event] = WorkOrderEvent.objects.filter(order=application.order, kind="app_step_done")
    assert event.data["missing_documents"] == ["id_card", "property_proof"]
    assert event.data["document_reason"] == "客户已当面出示原件"
    html = client_for(users["handler"]).get(reverse("workorders:detail", args=[application.order.number]))
    text = html.content.decode()
    assert "资料未收齐即办结：申请人有效身份证明、房屋产权证明或使用证明；原因：客户已当面出示原件" in text


def test_a_blank_reason_is_no_reason(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    with pytest.raises(ValidationFailed):
        application_step_complete(step=survey, actor=users["handler"], result="具备", document_reason="  ")


def test_the_console_refuses_with_the_missing_documents_then_takes_a_reason(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    url = reverse("applications:step_complete", args=[application.order.number, survey.pk])
    client = client_for(users["handler"])
    refused = client.post(url, {"result": "具备装表条件", "version": application.order.version}, follow=True)
    assert refused.status_code == 200
    assert "该环节所需资料尚未收齐：申请人有效身份证明、房屋产权证明或使用证明" in refused.content.decode()
    survey.refresh_from_db()
    assert survey.state == StepState.ACTIVE
    done = client.post(
        url,
        {
            "result": "具备装表条件",
            "document_reason": "已在营销系统核验",
            "version": application.order.version,
        },
    )
    assert done.status_code == 302
    survey.refresh_from_db()
    assert survey.state == StepState.DONE and survey.document_reason == "已在营销系统核验"


def test_the_api_refuses_with_the_stable_error_then_takes_a_reason(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    client = api_client_for(users["handler"])
    url = reverse("api-v1-application-step-complete", args=[application.order.number, survey.pk])
    refused = client.post(url, {"result": "具备条件"}, format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "documents_missing" and "document_reason" in error["fields"]
    assert step(application, "survey").state == StepState.ACTIVE
    done = client.post(url, {"result": "具备条件", "document_reason": "客户已当面出示原件"}, format="json")
    assert done.status_code == 200, done.json()
    [first, _] = done.json()["steps"]
    assert first["state"] == "done" and first["document_reason"] == "客户已当面出示原件"


def test_the_panel_lists_each_running_steps_documents_received_or_missing(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    receive(survey, users, "id_card")
    page = client_for(users["handler"]).get(reverse("workorders:detail", args=[application.order.number]))
    html = page.content.decode()
    block = html.split(f'id="step-documents-{survey.pk}"', 1)[1].split("</div>", 1)[0]
    assert "「现场勘查」所需资料" in block
    received, missing = block.split('class="doc-received">', 1)[1], block.split('class="doc-missing">', 1)[1]
    assert received.startswith("申请人有效身份证明") and "已收" in received.split("</li>", 1)[0]
    assert missing.startswith("房屋产权证明或使用证明") and "未收" in missing.split("</li>", 1)[0]
    assert 'name="document_reason"' in html  # offered while something is missing
    property_proof = DocumentType.objects.get(code="property_proof")
    assert f'<option value="{property_proof.pk}" selected>' in html  # the receive form offers it first
