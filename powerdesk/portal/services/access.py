"""Signing in to the portal by a one-time code, the session, the consent, and binding the accounts a
phone may see.

What the sign-in tells an attacker: nothing about whether a number belongs to a customer. Every valid
mobile number gets a code (an account is only a phone; what it may see comes from the bindings), every
wrong, expired or used code gets the same message, and the throttles count per phone (by its digest)
and per address, whatever the number.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.audit import services as audit
from powerdesk.core import clock, phones
from powerdesk.core.errors import NotFound, ValidationFailed
from powerdesk.customers.models import Customer
from powerdesk.portal import codes, rules, selectors
from powerdesk.portal.codes import Throttled, wrong_code
from powerdesk.portal.models import (
    AccountBinding,
    CodePurpose,
    OwnershipProof,
    PortalAccount,
    PortalConsent,
    PortalSession,
    ProofState,
)

SESSION_SALT = "powerdesk.portal.session"
SIGN_IN_TEMPLATE = "portal_sign_in_code"


def mobile_number(phone_text: str) -> str:
    try:
        phone = phones.normalise(phone_text)
    except phones.InvalidPhone:
        phone = ""
    if not (len(phone) == 11 and phone.startswith("1")):
        message = _("请输入11位手机号码。")
        raise ValidationFailed(message, fields={"phone": [message]})
    return phone


def sign_in_code_request(*, phone_text: str, address: str | None) -> None:
    """Send a sign-in code to ``phone_text`` by SMS (the one-time-code category: neither quiet hours nor
    opt-outs hold it back). The same for every valid mobile number; ``Throttled`` past the limits per
    phone and per address."""
    phone = mobile_number(phone_text)
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
