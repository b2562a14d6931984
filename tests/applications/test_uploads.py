"""Upload rules are checked on the content, not on what the client declares: a wrong type, a file too big,
an empty file, a name that is a path — for an order's attachments and for an application's documents."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from powerdesk.applications.models import DocumentReceipt, DocumentType
from powerdesk.applications.services import application_document_receive
from powerdesk.core.errors import ValidationFailed
from powerdesk.workorders.attachments import attachment_add
from powerdesk.workorders.models import Attachment, AttachmentRule, WorkOrderEvent
from tests.applications.conftest import step
from tests.workorders.helpers import intake
from tests.workorders.test_attachments import png_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def path_named(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    """An upload whose name is a path: Django's upload handlers cut one with '/' to its last part, so
    the name is set past that (as a handler that keeps names would hand it over)."""
    file = upload("x.pdf", content, content_type)
    file._name = name
    return file


REFUSED = {
    "a PDF renamed to .jpg": lambda: upload("身份证.jpg", PDF, "image/jpeg"),
    "a PNG declared as a JPEG": lambda: upload("身份证.png", png_bytes(), "image/jpeg"),
    "a PDF declared as a Word file": lambda: upload("申请书.pdf", PDF, "application/msword"),
    "an empty file": lambda: upload("空.pdf", b"", "application/pdf"),
    "a name with a Windows path": lambda: upload("C:\\资料\\证明.pdf", PDF, "application/pdf"),
    "a name that climbs out": lambda: path_named("../../etc/证明.pdf", PDF, "application/pdf"),
    "a name that is only dots": lambda: path_named("..", PDF, "application/pdf"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_an_order_attachment_is_refused_on_its_content(case, users, customer):
    order = intake(users, customer)
    kind = "photo" if "jpg" in case or "PNG" in case else "document"
    with pytest.raises(ValidationFailed) as refused:
        attachment_add(order=order, actor=users["agent"], kind=kind, upload=REFUSED[case]())
    assert "file" in refused.value.fields
    assert not Attachment.objects.filter(order=order).exists()


def test_an_order_attachment_over_the_size_limit_is_refused(users, customer):
    AttachmentRule.objects.filter(kind="document").update(max_size_mb=1)
    order = intake(users, customer)
    big = upload("大.pdf", PDF + b"0" * (1024 * 1024), "application/pdf")
    with pytest.raises(ValidationFailed) as refused:
        attachment_add(order=order, actor=users["agent"], kind="document", upload=big)
    assert refused.value.fields == {"file": ["文件过大。"]}


def test_a_well_formed_file_is_kept(users, customer):
    order = intake(users, customer)
    kept = attachment_add(
        order=order, actor=users["agent"], kind="photo", upload=upload("现场.png", png_bytes(), "image/png")
    )
    assert kept.content_type == "image/png" and kept.original_name == "现场.png"


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_an_application_document_is_refused_on_its_content(case, start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    with pytest.raises(ValidationFailed):
        application_document_receive(
            step=survey,
            actor=users["handler"],
            document=DocumentType.objects.get(code="id_card"),
            upload=REFUSED[case](),
        )
    assert not DocumentReceipt.objects.exists()


def test_a_received_document_is_an_order_attachment_recorded_against_its_step(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    receipt = application_document_receive(
        step=survey,
        actor=users["handler"],
        document=DocumentType.objects.get(code="id_card"),
        upload=upload("身份证.png", png_bytes(), "image/png"),
    )
    assert receipt.attachment.order_id == application.order_id and receipt.attachment.kind == "photo"
    assert receipt.step == survey
    event = WorkOrderEvent.objects.get(order=application.order, kind="app_doc_received")
    assert event.data["document"] == "id_card" and event.data["step"] == "survey"
