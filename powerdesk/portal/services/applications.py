"""Applications (业务办理) made in the portal: started under the portal's actor, with the documents
uploaded as they are received at a counter."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.applications.models import (
    Application,
    ApplicationStep,
    DocumentReceipt,
    DocumentType,
    NoticeChannel,
    StepState,
)
from powerdesk.applications.selectors import application_of
from powerdesk.applications.services import (
    application_document_receive,
    application_start,
    document_upload_check,
    documents_by_code,
    kind_notice,
)
from powerdesk.core import clock
from powerdesk.core.errors import DomainError, NotFound, ValidationFailed
from powerdesk.customers.models import Customer
from powerdesk.portal import selectors
from powerdesk.portal.models import PortalAccount, PortalApplication, PortalApplicationKind
from powerdesk.portal.services.orders import portal_actor
from powerdesk.workorders.choices import Channel


class ProofRequired(DomainError):
    """An account-changing application asked for before the account's holder proved it."""

    code = "proof_required"
    http_status = 403


def _receive_step(application: Application, document: DocumentType) -> ApplicationStep | None:
    """The running step a document is received for: the one whose template needs it, else the first."""
    running = list(
        application.steps.filter(state=StepState.ACTIVE)
        .select_related("template", "application__order")
        .prefetch_related("template__documents")
        .order_by("seq", "id")
    )
    for step in running:
        if any(d.pk == document.pk for d in step.template.documents.all()):
            return step
    return running[0] if running else None


def _check_files(files: dict[str, UploadedFile]) -> None:
    """Every file checked on its content before anything is written (the applications' upload rules);
    a refusal names the document's field."""
    for code, upload in files.items():
        try:
            document_upload_check(upload)
        except ValidationFailed as error:
            messages = [str(m) for ms in error.fields.values() for m in ms] or [error.message]
            raise ValidationFailed(error.message, fields={f"doc_{code}": messages}) from None


def application_submit(
    *,
    account: PortalAccount,
    customer: Customer,
    start_kind: PortalApplicationKind,
    description: str,
    files: dict[str, UploadedFile],
    submission: str,
) -> tuple[Application, bool]:
    """A customer starts an application in the portal (channel 网上营业厅) through
    ``applications.services.application_start``: the 一次性告知 list is recorded as given by the portal
    (the customer saw it on the form), then each document uploaded with the form is received for the
    step that needs it. An account-changing kind needs the proof its rule names, in force
    (``ProofRequired`` otherwise). ``submission`` is the form's one-time id: a second post of the same
    form answers the first application and receives no file twice. Returns the application and whether
    this call started it."""
    selectors.bound_customer(account=account, account_no=customer.account_no)
    try:
        key = uuid.UUID(submission)
    except (ValueError, TypeError):
        raise ValidationFailed(_("表单已失效，请刷新后重新提交。")) from None
    earlier = PortalApplication.objects.filter(submission=key, account=account).first()
    if earlier is not None:
        return earlier.application, False
    if not start_kind.is_active or not start_kind.kind.is_active:
        raise ValidationFailed(_("该业务暂不能在网上办理，请到营业厅办理。"))
    rule = start_kind.proof_rule
    if rule is not None and (
        selectors.proof_in_force(account=account, customer=customer, kind=rule.kind) is None
    ):
        message = _("办理%(kind)s须先核验您是该户号的户主，请先完成下方的身份核验。")
        raise ProofRequired(message % {"kind": start_kind.kind.name})
    known = set(start_kind_notice_codes(start_kind))
    files = {code: upload for code, upload in files.items() if code in known}
    _check_files(files)
    with transaction.atomic():
        application = application_start(
            actor=portal_actor(customer),
            kind=start_kind.kind,
            customer=customer,
            channel=Channel.PORTAL,
            notice_channel=NoticeChannel.PORTAL,
            description=(description or "").strip(),
            caller_phone=account.phone,
            idempotency_key=f"portal-app:{account.pk}:{key}",
        )
        _row, created = PortalApplication.objects.get_or_create(
            submission=key,
            defaults={"account": account, "application": application, "created_at": clock.now()},
        )
    if created:
        documents = documents_by_code(list(files))
        for code, upload in files.items():
            step = _receive_step(application, documents[code])
            if step is not None:
                application_document_receive(
                    step=step, actor=portal_actor(customer), document=documents[code], upload=upload
                )
    return application, created


def start_kind_notice_codes(start_kind: PortalApplicationKind) -> list[str]:
    return [d.code for d in kind_notice(start_kind.kind)]


def application_document_upload(
    *, account: PortalAccount, number: str, document_code: str, upload: UploadedFile
) -> DocumentReceipt:
    """The customer hands in a document the application still lacks (on the 一次性告知 list or asked
    for later), on the order's page: checked on its content, received for the step that needs it."""
    order = selectors.order_for(account=account, number=number)
    application = application_of(order)
    if application is None:
        raise NotFound(_("找不到该业务办理。"))
    track = selectors.application_track(order)
    assert track is not None
    if document_code not in {d.code for d in track.missing}:
        message = _("请选择仍需提交的资料。")
        raise ValidationFailed(message, fields={"document": [message]})
    document = documents_by_code([document_code])[document_code]
    step = _receive_step(application, document)
    if step is None:
        raise ValidationFailed(_("该业务已办结，无需再提交资料。"))
    try:
        document_upload_check(upload)
    except ValidationFailed as error:
        messages = [str(m) for ms in error.fields.values() for m in ms] or [error.message]
        raise ValidationFailed(error.message, fields={"file": messages}) from None
    assert order.customer is not None
    return application_document_receive(
        step=step, actor=portal_actor(order.customer), document=document, upload=upload
    )
