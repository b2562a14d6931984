"""Proof that the signed-in customer holds an account, per kind of request (data): a code sent to the
phone registered on the account, or a hall clerk's check."""

from __future__ import annotations

import pytest

from powerdesk.core.errors import NotFound, ValidationFailed
from powerdesk.notify.models import Notification
from powerdesk.portal import selectors, services
from powerdesk.portal.models import PortalAccount, ProofState
from tests.portal.conftest import read_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(portal) -> PortalAccount:
    return PortalAccount.objects.get(phone="13812345678")


def test_a_transfer_needs_the_code_sent_to_the_accounts_registered_phone(account, customer):
    customer.phones.update(number="13600002222")  # the registered phone is not the one signed in
    proof = services.proof_start(account=account, customer=customer, kind="app_transfer", address=None)
    sms = Notification.objects.get(template__code="portal_proof_code")
    assert sms.recipient_address == "13600002222"
    with pytest.raises(ValidationFailed):
        services.proof_verify(proof=proof, code="not-it", address=None)
    services.proof_verify(proof=proof, code=read_code(sms), address=None)
    proof.refresh_from_db()
    assert proof.state == ProofState.VERIFIED
    assert selectors.proof_in_force(account=account, customer=customer, kind="app_transfer") == proof
    assert selectors.proof_in_force(account=account, customer=customer, kind="app_rename") is None


def test_closing_an_account_waits_for_the_hall(account, customer, users):
    proof = services.proof_start(account=account, customer=customer, kind="app_close", address=None)
    assert proof.method == "hall" and proof.state == ProofState.PENDING
    assert not Notification.objects.filter(template__code="portal_proof_code").exists()
    services.proof_confirm_in_hall(proof=proof, actor=users["agent"], note="核对了户主身份证")
    assert selectors.proof_in_force(account=account, customer=customer, kind="app_close") is not None


def test_a_clerk_of_another_county_cannot_confirm(account, customer):
    from tests.factories import UnitFactory, UserFactory

    elsewhere = UserFactory.with_role("agent", UnitFactory(kind="county"))
    proof = services.proof_start(account=account, customer=customer, kind="app_close", address=None)
    with pytest.raises(NotFound):
        services.proof_confirm_in_hall(proof=proof, actor=elsewhere)


def test_no_proof_for_an_account_not_bound(account, west_customer):
    with pytest.raises(NotFound):
        services.proof_start(account=account, customer=west_customer, kind="app_transfer", address=None)


def test_the_proof_code_goes_out_to_a_customer_who_opted_out_of_sms(account, customer):
    from powerdesk.notify.models import CustomerOptOut, NotificationState

    CustomerOptOut.objects.create(customer=customer, channel="sms")
    services.proof_start(account=account, customer=customer, kind="app_rename", address=None)
    sms = Notification.objects.get(template__code="portal_proof_code")
    assert sms.state == NotificationState.PENDING and not sms.suppressed_reason
