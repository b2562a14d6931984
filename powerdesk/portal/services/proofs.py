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
from powerdesk.org.models import User
from powerdesk.org.selectors import user_sees_unit
from powerdesk.portal import codes, selectors
from powerdesk.portal.codes import wrong_code
from powerdesk.portal.models import CodePurpose, OwnershipProof, PortalAccount, ProofMethod, ProofState

PROOF_TEMPLATE = "portal_proof_code"


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
