"""Proving that a portal account's phone holds a customer account, before an application that changes
the account: by a code sent to the account's phone on record, or in a service hall by an agent who saw
the papers."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.audit import services as audit
from powerdesk.core import clock
from powerdesk.core.errors import NotFound, NotPermitted, TransitionNotAllowed, ValidationFailed
from powerdesk.customers.models import Customer
from powerdesk.notify.models import NotifyChannel
from powerdesk.notify.services import notification_enqueue
from powerdesk.org.models import User
from powerdesk.org.selectors import user_sees_unit
from powerdesk.portal import rules, selectors
from powerdesk.portal.models import CodePurpose, OwnershipProof, PortalAccount, ProofMethod, ProofState
from powerdesk.portal.services.codes import (
    PROOF_TEMPLATE,
    Throttled,
    code_check,
    code_create,
    hit_count,
    wrong_code,
)


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
    now = clock.now()
    with transaction.atomic():
        proof = OwnershipProof(
            account=account, customer=customer, rule=rule, method=rule.method, created_at=now
        )
        if rule.method == ProofMethod.ACCOUNT_PHONE_CODE:
            phone = customer.primary_phone
            if not phone:
                message = _("该户号未登记手机号码，请到营业厅核验身份。")
                raise ValidationFailed(message, code="no_registered_phone")
            window = rules.hour_window(now)
            if (
                hit_count(f"code:phone:{rules.phone_key(phone)}", window)
                > selectors.portal_settings().codes_per_phone_hour
            ):
                raise Throttled(_("获取验证码过于频繁，请稍后再试。"))
            row, code = code_create(phone=phone, purpose=CodePurpose.PROOF, address=address, now=now)
            proof.code = row
            notification_enqueue(
                channel=NotifyChannel.SMS,
                template_code=PROOF_TEMPLATE,
                context={"code": code, "kind": str(rule.name), "account_no": customer.account_no},
                recipient_address=phone,
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
    row = code_check(phone=proof.code.phone, purpose=CodePurpose.PROOF, code=code, address=address)
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
