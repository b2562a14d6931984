"""Writes of the portal: sign-in by one-time code, consent, binding accounts, proof of ownership, reports
through the agents' intake, and the customer's cancellation.

What the sign-in tells an attacker: nothing about whether a number belongs to a customer. Every valid
mobile number gets a code (an account is only a phone; what it may see comes from the bindings), every
wrong, expired or used code gets the same message, and the throttles count per phone (by its digest)
and per address, whatever the number.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core import signing
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
from powerdesk.audit import services as audit
from powerdesk.core import clock, phones
from powerdesk.core.errors import (
    DomainError,
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from powerdesk.customers.models import Customer
from powerdesk.org.models import Role, RoleScope, Unit, UnitKind, User
from powerdesk.org.selectors import user_sees_unit
from powerdesk.portal import codes, rules, selectors
from powerdesk.portal.codes import Throttled, wrong_code
from powerdesk.portal.models import (
    AccountBinding,
    CodePurpose,
    OwnershipProof,
    PortalAccount,
    PortalApplication,
    PortalApplicationKind,
    PortalConsent,
    PortalSession,
    ProofMethod,
    ProofState,
    ReportKind,
)
from powerdesk.workorders.choices import Channel
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services import IntakeResult, workorder_cancel_by_customer, workorder_intake

SESSION_SALT = "powerdesk.portal.session"
SIGN_IN_TEMPLATE = "portal_sign_in_code"
PROOF_TEMPLATE = "portal_proof_code"
PORTAL_ROLE = "portal"
PORTAL_NAME = "网上营业厅"


def _mobile(phone_text: str) -> str:
    try:
        phone = phones.normalise(phone_text)
    except phones.InvalidPhone:
        phone = ""
    if not (len(phone) == 11 and phone.startswith("1")):
        message = _("请输入11位手机号码。")
        raise ValidationFailed(message, fields={"phone": [message]})
    return phone


# --- sign-in ------------------------------------------------------------------------------------------


def sign_in_code_request(*, phone_text: str, address: str | None) -> None:
    """Send a sign-in code to ``phone_text`` by SMS (the one-time-code category: neither quiet hours nor
    opt-outs hold it back). The same for every valid mobile number; ``Throttled`` past the limits per
    phone and per address."""
    phone = _mobile(phone_text)
    config = selectors.portal_settings()
    codes.code_send(
        phone=phone,
        purpose=CodePurpose.SIGN_IN,
        address=address,
        template_code=SIGN_IN_TEMPLATE,
        context={"minutes": max(1, config.code_valid_seconds // 60)},
    )


def sign_in_verify(*, phone_text: str, code: str, address: str | None) -> tuple[PortalAccount, str]:
    """Check the code and sign in: the portal account (made on first sign-in) and the cookie value of
    a new session (a signed random key; only its digest is stored)."""
    try:
        phone = phones.normalise(phone_text)
    except phones.InvalidPhone:
        raise wrong_code() from None
    codes.code_check(phone=phone, purpose=CodePurpose.SIGN_IN, code=code, address=address)
    now = clock.now()
    config = selectors.portal_settings()
    with transaction.atomic():
        account, _new = PortalAccount.objects.get_or_create(phone=phone, defaults={"created_at": now})
        if not account.is_active:
            raise wrong_code()
        account.last_sign_in_at = now
        account.save(update_fields=["last_sign_in_at"])
        key = secrets.token_urlsafe(32)
        PortalSession.objects.create(
            account=account,
            digest=rules.key_digest(key),
            created_at=now,
            expires_at=now + dt.timedelta(hours=config.session_hours),
        )
    return account, signing.dumps(key, salt=SESSION_SALT)


def session_end(*, cookie: str) -> None:
    try:
        key = signing.loads(cookie, salt=SESSION_SALT)
    except signing.BadSignature:
        return
    PortalSession.objects.filter(digest=rules.key_digest(str(key)), ended_at__isnull=True).update(
        ended_at=clock.now()
    )


def consent_record(*, account: PortalAccount, address: str | None) -> PortalConsent:
    """Record that the account agreed to the privacy notice now in force (once per version)."""
    version = selectors.portal_settings().privacy_version
    consent, _new = PortalConsent.objects.get_or_create(
        account=account, version=version, defaults={"at": clock.now(), "address": address}
    )
    return consent


# --- accounts -----------------------------------------------------------------------------------------


def binding_create(
    *, account: PortalAccount, account_no: str, holder_name: str, id_digits: str, address: str | None
) -> AccountBinding:
    """Bind the customer account ``account_no`` when the holder's name or the ID number's last digits
    match. A wrong number and wrong details get the same answer; failures are limited per portal account
    (a day) and per address (an hour)."""
    config = selectors.portal_settings()
    now = clock.now()
    by_account = f"bind:acct:{account.pk}"
    by_address = f"bind:addr:{address or 'unknown'}"
    if (
        codes.seen(by_account, rules.day_window(now)) >= config.binds_per_account_day
        or codes.seen(by_address, rules.hour_window(now)) >= config.binds_per_address_hour
    ):
        raise Throttled(_("绑定尝试次数过多，请明天再试或到营业厅办理。"))
    customer = Customer.objects.filter(account_no=(account_no or "").strip()).first()
    method = (
        rules.holder_matches(
            name=customer.name, id_number=customer.id_number, given_name=holder_name, given_digits=id_digits
        )
        if customer is not None
        else None
    )
    if customer is None or method is None:
        codes.hit(by_account, rules.day_window(now))
        codes.hit(by_address, rules.hour_window(now))
        message = _("户号与户主信息不符，请核对后重试。")
        raise ValidationFailed(message, fields={"account_no": [message]})
    binding, _new = AccountBinding.objects.get_or_create(
        account=account, customer=customer, defaults={"method": method, "bound_at": now}
    )
    return binding


@transaction.atomic
def binding_remove(*, account: PortalAccount, account_no: str) -> Customer:
    """The customer unbinds an account (户号) of theirs: from now its orders, applications and notices
    are not found (404) for this portal account, as if never bound; the orders themselves stay. One not
    bound is not found. Audited (``portal_unbound``, the portal's phone as the actor's name)."""
    binding = (
        AccountBinding.objects.select_for_update()
        .select_related("customer")
        .filter(account=account, customer__account_no=(account_no or "").strip())
        .first()
    )
    if binding is None:
        raise NotFound(_("找不到该户号。"))
    customer = binding.customer
    binding.delete()
    # A proof still waiting for the hall is withdrawn with it: no clerk checks papers for an account the
    # customer let go of.
    OwnershipProof.objects.filter(account=account, customer=customer, state=ProofState.PENDING).update(
        state=ProofState.FAILED, reason=_("客户已解绑该户号")
    )
    audit.record(
        "portal_unbound",
        None,
        target=customer,
        subject=customer.account_no,
        actor_name=f"portal:{account.pk}",
        data={"account": account.pk, "method": binding.method},
    )
    return customer


# --- proof of ownership (for account-changing applications) -------------------------------------------


def proof_start(
    *, account: PortalAccount, customer: Customer, kind: str, address: str | None
) -> OwnershipProof:
    """Start proving that the account's customer holds ``customer`` for a request of ``kind`` (a
    ``ProofRule``): a code sent to the phone registered on the customer account, or a proof waiting
    for a hall clerk. The customer must be bound to the portal account (404 otherwise)."""
    selectors.bound_customer(account=account, account_no=customer.account_no)
    rule = selectors.proof_rule(kind)
    if rule is None:
        raise NotFound(_("没有这种业务的身份核验规则。"))
    proof = OwnershipProof(
        account=account, customer=customer, rule=rule, method=rule.method, created_at=clock.now()
    )
    if rule.method == ProofMethod.ACCOUNT_PHONE_CODE:
        phone = customer.primary_phone
        if not phone:
            message = _("该户号未登记手机号码，请到营业厅核验身份。")
            raise ValidationFailed(message, code="no_registered_phone")
        # Counted per phone and per address like the sign-in codes (``Throttled`` past either).
        proof.code = codes.code_send(
            phone=phone,
            purpose=CodePurpose.PROOF,
            address=address,
            template_code=PROOF_TEMPLATE,
            context={"kind": str(rule.name), "account_no": customer.account_no},
            customer=customer,
        )
    proof.save()
    return proof


def proof_verify(*, proof: OwnershipProof, code: str, address: str | None) -> OwnershipProof:
    """Check the code sent to the account's registered phone; the proof is then verified."""
    if (
        proof.state != ProofState.PENDING
        or proof.method != ProofMethod.ACCOUNT_PHONE_CODE
        or proof.code is None
    ):
        raise wrong_code()
    row = codes.code_check(phone=proof.code.phone, purpose=CodePurpose.PROOF, code=code, address=address)
    if row.pk != proof.code_id:
        raise wrong_code()
    proof.state = ProofState.VERIFIED
    proof.verified_at = clock.now()
    proof.save(update_fields=["state", "verified_at"])
    return proof


def _hall_decision(*, proof: OwnershipProof, actor: User) -> OwnershipProof:
    """The proof locked for a hall clerk's decision: a clerk of a hall role (403 otherwise), of the
    customer's units (404 otherwise, as another unit's order), on a proof still waiting (a second click,
    or a second clerk, is refused and changes nothing)."""
    if not selectors.user_staffs_hall(actor):
        raise NotPermitted(_("您的岗位不办理营业厅身份核验。"))
    if proof.method != ProofMethod.HALL or not user_sees_unit(actor, proof.customer.area):
        raise NotFound(_("找不到该核验申请。"))
    locked = OwnershipProof.objects.select_for_update().select_related("rule").get(pk=proof.pk)
    if locked.state != ProofState.PENDING:
        raise TransitionNotAllowed(_("该核验已处理，无需重复操作。"))
    return locked


@transaction.atomic
def proof_confirm_in_hall(*, proof: OwnershipProof, actor: User, note: str = "") -> OwnershipProof:
    """A hall clerk who saw the holder's papers confirms the proof: it is in force for the portal's
    account-changing applications from now (``proof_in_force``). Audited (``portal_proof_confirmed``)."""
    locked = _hall_decision(proof=proof, actor=actor)
    locked.state = ProofState.VERIFIED
    locked.verified_at = clock.now()
    locked.verified_by = actor
    locked.note = note.strip()[:200]
    locked.save(update_fields=["state", "verified_at", "verified_by", "note"])
    audit.record(
        "portal_proof_confirmed",
        actor,
        target=locked,
        subject=proof.customer.account_no,
        data={"kind": locked.rule.kind},
    )
    return locked


@transaction.atomic
def proof_reject_in_hall(*, proof: OwnershipProof, actor: User, reason: str) -> OwnershipProof:
    """A hall clerk does not confirm the proof (the papers did not show the holder): it fails, with a
    reason the customer reads on the portal, who may ask again. Audited (``portal_proof_rejected``)."""
    reason = (reason or "").strip()
    if not reason:
        message = _("请填写未通过的原因，客户会在网上营业厅看到。")
        raise ValidationFailed(message, fields={"reason": [message]})
    locked = _hall_decision(proof=proof, actor=actor)
    locked.state = ProofState.FAILED
    locked.verified_at = clock.now()
    locked.verified_by = actor
    locked.reason = reason[:200]
    locked.save(update_fields=["state", "verified_at", "verified_by", "reason"])
    audit.record(
        "portal_proof_rejected",
        actor,
        target=locked,
        subject=proof.customer.account_no,
        reason=locked.reason,
        data={"kind": locked.rule.kind},
    )
    return locked


# --- the portal's actor on the order --------------------------------------------------------------------


def _intake_unit(customer: Customer) -> Unit:
    """Where a portal order is accepted: the county company above the customer's 台区 (the unit whose
    dispatchers take the hotline's orders), else the nearest unit above the 台区."""
    chain = customer.area.ancestors()
    county = next((u for u in chain if u.kind == UnitKind.COUNTY), None)
    return county or next((u for u in chain if u.kind != UnitKind.AREA), customer.area)


def portal_actor(customer: Customer) -> User:
    """The account the timeline names for what customers do in the portal, one per accepting unit. It
    cannot sign in (inactive, no usable password); its role (``portal``, seeded by portal 0002) takes
    contacts and may only fire the customer's own cancellation."""
    unit = _intake_unit(customer)
    # Named by the unit's code, not its id: the same unit gets the same account whichever order the
    # units were written in (a demo loaded by two workers names the same actors as one loaded by one).
    username = f"portal-{unit.code}"
    user = User.objects.select_related("role", "unit").filter(username=username).first()
    if user is not None:
        return user
    role, _created = Role.objects.get_or_create(
        code=PORTAL_ROLE,
        defaults={
            "name": "网上营业厅",
            "scope": RoleScope.SUBTREE,
            "can_create_orders": True,
            "transitions": ["cancel_by_customer", "note"],
        },
    )
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "full_name": PORTAL_NAME,
            "role": role,
            "unit": unit,
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


# --- reports and cancellation --------------------------------------------------------------------------


def report_submit(
    *,
    account: PortalAccount,
    customer: Customer,
    kind: ReportKind,
    description: str,
    staff_name: str = "",
    submission: str,
) -> IntakeResult:
    """A customer's report through the intake the agents use (channel 网上营业厅): the 台区 and address
    come from the bound account. ``submission`` is the form's one-time id: the same form posted twice
    answers the first result (the intake's idempotency key)."""
    selectors.bound_customer(account=account, account_no=customer.account_no)
    try:
        submission = str(uuid.UUID(submission))
    except (ValueError, TypeError):
        raise ValidationFailed(_("表单已失效，请刷新后重新提交。")) from None
    text = (description or "").strip()
    facts: dict[str, Any] = {"portal_kind": kind.code}
    if kind.asks_staff:
        staff_name = (staff_name or "").strip()
        if not staff_name:
            message = _("请填写您要表扬的员工姓名或工号。")
            raise ValidationFailed(message, fields={"staff_name": [message]})
        facts["praised_staff"] = staff_name
        text = _("表扬：%(staff)s。%(text)s") % {"staff": staff_name, "text": text}
    if not (description or "").strip():
        message = _("请填写诉求内容。")
        raise ValidationFailed(message, fields={"description": [message]})
    return workorder_intake(
        actor=portal_actor(customer),
        business_type=kind.business_type,
        topic=kind.topic,
        sub_type=kind.sub_type,
        channel=Channel.PORTAL,
        description=text,
        customer=customer,
        caller_phone=account.phone,
        facts=facts,
        idempotency_key=f"portal:{account.pk}:{submission}",
    )


def order_cancel(*, account: PortalAccount, number: str, reason: str = "", submission: str = "") -> WorkOrder:
    """The customer withdraws their request (one of a bound account; 404 otherwise) while nobody has
    started on it: the workorders transition ``cancel_by_customer``, on the order's timeline."""
    order = selectors.order_for(account=account, number=number)
    assert order.customer is not None  # order_for reads the bound customers' orders only
    return workorder_cancel_by_customer(
        order=order,
        actor=portal_actor(order.customer),
        reason=reason,
        request_id=f"portal-cancel:{account.pk}:{submission}" if submission else "",
    )


# --- applications ----------------------------------------------------------------------------------------


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
