"""Documents of an application: 补件 requests (一次性告知 enforced) and documents received for a step,
their files kept as order attachments checked on their content."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.applications import rules
from powerdesk.applications.models import (
    Application,
    ApplicationStep,
    DocumentReceipt,
    DocumentRequest,
    DocumentType,
    StepState,
)
from powerdesk.applications.services.acting import RECORD_RIGHT
from powerdesk.applications.services.record import DOCUMENT_RECEIVED, DOCUMENT_REQUESTED, order_changed
from powerdesk.core import clock
from powerdesk.core.errors import NotFound, NotPermitted, TransitionNotAllowed, ValidationFailed
from powerdesk.org.models import User
from powerdesk.org.selectors import user_may, user_sees_unit
from powerdesk.workorders.attachments import attachment_add, upload_check
from powerdesk.workorders.choices import AttachmentKind
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services.engine import lock_order


def _lock_application(application: Application, actor: User) -> tuple[WorkOrder, Application]:
    order = lock_order(application.order_id)
    if not user_sees_unit(actor, order.unit):
        raise NotFound(_("找不到该工单。"))
    if not user_may(actor, RECORD_RIGHT):
        raise NotPermitted(_("您的角色不能办理该业务。"))
    return order, Application.objects.select_for_update(of=("self",)).get(pk=application.pk)


@transaction.atomic
def application_document_request(
    *, application: Application, actor: User, document: DocumentType, reason: str = ""
) -> DocumentRequest:
    """Ask the customer for a document after acceptance (补件). A document on the 一次性告知 list may be
    asked for; one not on it only with a reason (:func:`rules.request_refusal`), which is recorded and
    shown to whoever handles a complaint about the application. One ``app_doc_requested`` event."""
    order, locked = _lock_application(application, actor)
    if rules.request_refusal(document.code, locked.notice_documents, reason) is not None:
        message = _("「%(doc)s」不在受理时一次性告知的资料清单内，须填写补充要求的原因。") % {
            "doc": document.name
        }
        raise ValidationFailed(message, fields={"reason": [message]})
    at = clock.now()
    on_notice = document.code in locked.notice_documents
    request = DocumentRequest.objects.create(
        application=locked,
        document=document,
        on_notice=on_notice,
        reason=reason.strip(),
        requested_by=actor,
        requested_at=at,
    )
    order_changed(
        order=order,
        kind=DOCUMENT_REQUESTED,
        actor=actor,
        at=at,
        note=reason.strip(),
        data={"document": document.code, "on_notice": on_notice},
    )
    return request


def application_document_receive(
    *,
    step: ApplicationStep,
    actor: User,
    document: DocumentType,
    upload: UploadedFile,
) -> DocumentReceipt:
    """Receive a document for a running step: the file is checked on its content and stored as an order
    attachment (``workorders.attachments.attachment_add``: its own transaction and event, the file removed
    again if it does not commit), then the receipt is recorded against the step (one
    ``app_doc_received`` event)."""
    if step.state != StepState.ACTIVE:
        raise TransitionNotAllowed(_("该环节不在办理中。"))
    order = step.application.order
    if not user_sees_unit(actor, order.unit):
        raise NotFound(_("找不到该工单。"))
    attachment = attachment_add(
        order=order, actor=actor, kind=document_attachment_kind(upload), upload=upload
    )
    with transaction.atomic():
        locked_order, application = _lock_application(step.application, actor)
        at = clock.now()
        receipt = DocumentReceipt.objects.create(
            application=application,
            step=step,
            document=document,
            attachment=attachment,
            received_by=actor,
            received_at=at,
        )
        order_changed(
            order=locked_order,
            kind=DOCUMENT_RECEIVED,
            actor=actor,
            at=at,
            data={"document": document.code, "step": step.template.code, "attachment": attachment.pk},
        )
    return receipt


PHOTO_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})


def document_attachment_kind(upload: UploadedFile) -> str:
    """A document's file is kept as an order attachment: a photo (a picture of an ID card) or a document."""
    suffix = PurePath(upload.name or "").suffix.lower()
    return AttachmentKind.PHOTO if suffix in PHOTO_EXTENSIONS else AttachmentKind.DOCUMENT


def document_upload_check(upload: UploadedFile) -> None:
    """The upload checked on its content as the order attachments are (type, size, leading bytes, name)."""
    upload_check(kind=document_attachment_kind(upload), upload=upload)


def documents_by_code(codes: Mapping[str, Any] | list[str]) -> dict[str, DocumentType]:
    return {d.code: d for d in DocumentType.objects.filter(code__in=list(codes))}
