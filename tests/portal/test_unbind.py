"""A customer unbinds an account: a confirmation page, then a POST; audited; from then on the account's
orders and applications are not found (404) for them, and a proof still waiting for the hall goes too."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from powerdesk.audit.models import AuditEntry
from powerdesk.portal import services
from powerdesk.portal.models import AccountBinding, OwnershipProof, PortalAccount, ProofState
from powerdesk.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def apply_for_a_connection(portal, customer) -> WorkOrder:
    portal.post(
        reverse("portal:apply", args=["lv_resident"]),
        {"customer": customer.account_no, "description": "", "submission": str(uuid.uuid4())},
    )
    return WorkOrder.objects.get(business_type="application")


def test_the_accounts_page_links_a_confirmation_page(portal, customer):
    account_page = portal.get(reverse("portal:account", args=[customer.account_no])).content.decode()
    url = reverse("portal:unbind", args=[customer.account_no])
    assert url in account_page
    page = portal.get(url)
    assert page.status_code == 200
    assert "解绑后，您将不能在网上营业厅查看该户号" in page.content.decode()
    assert AccountBinding.objects.filter(customer=customer).exists()  # a GET changes nothing


def test_the_post_needs_the_confirmation(portal, customer):
    answer = portal.post(reverse("portal:unbind", args=[customer.account_no]), {})
    assert answer.status_code == 400 and "请勾选确认后再解绑。" in answer.content.decode()
    assert AccountBinding.objects.filter(customer=customer).exists()


def test_after_unbinding_the_accounts_orders_and_applications_are_not_found(portal, customer):
    order = apply_for_a_connection(portal, customer)
    assert portal.get(reverse("portal:order", args=[order.number])).status_code == 200
    answer = portal.post(reverse("portal:unbind", args=[customer.account_no]), {"confirm": "on"})
    assert answer.status_code == 302 and answer["Location"] == reverse("portal:home") + "?unbound=1"
    assert not AccountBinding.objects.filter(customer=customer).exists()
    assert portal.get(reverse("portal:order", args=[order.number])).status_code == 404
    assert portal.get(reverse("portal:account", args=[customer.account_no])).status_code == 404
    upload = portal.post(reverse("portal:order_document", args=[order.number]), {"document": "id_card"})
    assert upload.status_code == 404
    home = portal.get(reverse("portal:home") + "?unbound=1").content.decode()
    assert "户号已解绑。" in home and order.number not in home
    entry = AuditEntry.objects.get(kind="portal_unbound")
    assert entry.subject == customer.account_no and entry.actor is None
    assert entry.data["account"] == PortalAccount.objects.get(phone="13812345678").pk
    WorkOrder.objects.get(pk=order.pk)  # the order itself stays, for the utility


def test_a_proof_waiting_for_the_hall_is_withdrawn_with_the_account(portal, customer):
    account = PortalAccount.objects.get(phone="13812345678")
    proof = services.proof_start(account=account, customer=customer, kind="app_close", address=None)
    portal.post(reverse("portal:unbind", args=[customer.account_no]), {"confirm": "on"})
    assert OwnershipProof.objects.get(pk=proof.pk).state == ProofState.FAILED


def test_an_account_not_bound_cannot_be_unbound(portal, west_customer):
    assert portal.get(reverse("portal:unbind", args=[west_customer.account_no])).status_code == 404
    answer = portal.post(reverse("portal:unbind", args=[west_customer.account_no]), {"confirm": "on"})
    assert answer.status_code == 404
    assert not AuditEntry.objects.filter(kind="portal_unbound").exists()
