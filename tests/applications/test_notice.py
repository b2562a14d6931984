"""一次性告知: a later 补件 request for a document not on the list told at acceptance is refused unless a
reason is recorded, and the reason is there for whoever handles a complaint about it."""

from __future__ import annotations

import pytest

from powerdesk.applications.models import DocumentType
from powerdesk.applications.services import application_document_request
from powerdesk.core.errors import ValidationFailed
from powerdesk.workorders.models import WorkOrderEvent

pytestmark = pytest.mark.django_db


def doc(code: str) -> DocumentType:
    return DocumentType.objects.get(code=code)


def test_a_document_on_the_list_may_be_asked_for_again(start, users):
    application = start("lv_resident")
    request = application_document_request(
        application=application, actor=users["handler"], document=doc("id_card")
    )
    assert request.on_notice and request.reason == ""


def test_a_document_not_on_the_list_is_refused_without_a_reason(start, users):
    application = start("lv_resident")
    with pytest.raises(ValidationFailed) as refused:
        application_document_request(
            application=application, actor=users["handler"], document=doc("load_list")
        )
    assert "reason" in refused.value.fields
    assert not application.document_requests.exists()
    assert not WorkOrderEvent.objects.filter(order=application.order, kind="app_doc_requested").exists()


def test_with_a_reason_it_is_recorded_off_the_list_and_on_the_timeline(start, users):
    application = start("lv_resident")
    request = application_document_request(
        application=application,
        actor=users["handler"],
        document=doc("load_list"),
        reason="现场发现客户新增电采暖设备，需核定负荷",
    )
    assert not request.on_notice and request.reason.startswith("现场发现")
    event = WorkOrderEvent.objects.get(order=application.order, kind="app_doc_requested")
    assert event.data == {"document": "load_list", "on_notice": False}
    assert event.note == request.reason


def test_a_role_without_the_right_to_annotate_cannot_ask(start, users):
    from powerdesk.core.errors import NotPermitted

    application = start("lv_resident")
    with pytest.raises(NotPermitted):
        application_document_request(application=application, actor=users["norole"], document=doc("id_card"))
