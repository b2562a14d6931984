"""The hall clerk's console page for the proofs customers registered in the portal (销户, 暂停/减容 …):
listed within the clerk's units, waiting longest first; confirmed with a note or refused with a reason the
customer reads on the portal; a second click or a second clerk changes nothing; another county's clerk
finds nothing (404); a role that does not staff a hall is refused (403)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from powerdesk.audit.models import AuditEntry
from powerdesk.core import clock
from powerdesk.portal import services
from powerdesk.portal.models import AccountBinding, OwnershipProof, PortalAccount, ProofState
from tests.factories import UnitFactory, UserFactory
from tests.portal.conftest import DAY

pytestmark = pytest.mark.django_db


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def account(portal) -> PortalAccount:
    return PortalAccount.objects.get(phone="13812345678")


@pytest.fixture
def east_clerk(county):
    """A hall clerk (客服专员) of the east station's hall."""
    return UserFactory.with_role("agent", county.east, username="east_clerk")


def ask_hall(account, customer, kind: str = "app_close", *, at: dt.datetime = DAY) -> OwnershipProof:
    with time_machine.travel(at, tick=False):
        return services.proof_start(account=account, customer=customer, kind=kind, address=None)


def confirm_url(proof) -> str:
    return reverse("hall:proof_confirm", args=[proof.pk])


def reject_url(proof) -> str:
    return reverse("hall:proof_reject", args=[proof.pk])


def test_the_clerk_sees_the_proofs_of_their_units_waiting_longest_first(
    account, customer, west_customer, east_clerk
):
    AccountBinding.objects.create(
        account=account, customer=west_customer, method="name", bound_at=clock.now()
    )
    later = ask_hall(account, customer, "app_suspend_reduce", at=DAY - dt.timedelta(hours=1))
    earlier = ask_hall(account, customer, "app_close", at=DAY - dt.timedelta(hours=3))
    west = ask_hall(account, west_customer, "app_close")
    ask_hall(account, customer, "app_transfer")  # a code to the registered phone: not the hall's
    page = console(east_clerk).get(reverse("hall:proofs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(f'id="proof-{earlier.pk}"') < html.index(f'id="proof-{later.pk}"')
    assert f'id="proof-{west.pk}"' not in html
    assert customer.account_no in html and "销户" in html and "暂停/减容" in html
    assert html.count('id="proof-') == 2


def test_the_navigation_links_the_page_for_hall_roles_only(account, customer, users):
    ask_hall(account, customer)
    html = console(users["agent"]).get(reverse("home")).content.decode()
    assert reverse("hall:proofs") in html and "营业厅核验" in html
    assert reverse("hall:proofs") not in console(users["repair"]).get(reverse("home")).content.decode()
    assert console(users["repair"]).get(reverse("hall:proofs")).status_code == 403


def test_a_confirmed_proof_lets_the_customer_apply(portal, account, customer, east_clerk):
    proof = ask_hall(account, customer)
    with time_machine.travel(DAY + dt.timedelta(minutes=5), tick=False):
        answer = console(east_clerk).post(confirm_url(proof), {f"c{proof.pk}-note": "核对了户主身份证原件"})
        assert answer.status_code == 302 and answer["Location"] == reverse("hall:proofs")
        proof.refresh_from_db()
        assert proof.state == ProofState.VERIFIED and proof.verified_by == east_clerk
        assert proof.note == "核对了户主身份证原件"
        page = portal.get(reverse("portal:apply", args=["close"]) + f"?customer={customer.account_no}")
    assert "核验通过，可以提交申请" in page.content.decode()
    entry = AuditEntry.objects.get(kind="portal_proof_confirmed")
    assert entry.actor == east_clerk and entry.subject == customer.account_no


def test_a_refusal_carries_its_reason_to_the_portal(portal, account, customer, east_clerk):
    proof = ask_hall(account, customer)
    blank = console(east_clerk).post(reject_url(proof), {f"r{proof.pk}-reason": " "})
    assert blank.status_code == 400
    assert "请填写未通过的原因，客户会在网上营业厅看到。" in blank.content.decode()
    assert OwnershipProof.objects.get(pk=proof.pk).state == ProofState.PENDING
    answer = console(east_clerk).post(reject_url(proof), {f"r{proof.pk}-reason": "来人不是户主本人"})
    assert answer.status_code == 302
    proof.refresh_from_db()
    assert proof.state == ProofState.FAILED and proof.reason == "来人不是户主本人"
    page = portal.get(reverse("portal:apply", args=["close"]) + f"?customer={customer.account_no}")
    html = page.content.decode()
    assert 'id="proof-rejected"' in html and "来人不是户主本人" in html
    assert reverse("portal:apply_proof", args=["close"]) in html  # the customer may register again
    assert AuditEntry.objects.get(kind="portal_proof_rejected").reason == "来人不是户主本人"


def test_a_second_click_or_a_second_clerk_changes_nothing(account, customer, east_clerk, users):
    proof = ask_hall(account, customer)
    first = console(east_clerk)
    first.post(confirm_url(proof), {f"c{proof.pk}-note": "第一次"})
    again = first.post(confirm_url(proof), {f"c{proof.pk}-note": "第二次"}, follow=True)
    assert "该核验已处理，无需重复操作。" in again.content.decode()
    other = console(users["agent"]).post(
        reject_url(proof), {f"r{proof.pk}-reason": "晚到的第二位"}, follow=True
    )
    assert "该核验已处理，无需重复操作。" in other.content.decode()
    proof.refresh_from_db()
    assert proof.state == ProofState.VERIFIED and proof.note == "第一次" and proof.verified_by == east_clerk
    assert not proof.reason
    assert AuditEntry.objects.filter(kind__startswith="portal_proof_").count() == 1


def test_another_countys_clerk_finds_nothing(account, customer):
    elsewhere = UserFactory.with_role("agent", UnitFactory(code="C9", name="远山县供电公司", kind="county"))
    proof = ask_hall(account, customer)
    client = console(elsewhere)
    assert f'id="proof-{proof.pk}"' not in client.get(reverse("hall:proofs")).content.decode()
    assert client.post(confirm_url(proof), {f"c{proof.pk}-note": "x"}).status_code == 404
    assert client.post(reject_url(proof), {f"r{proof.pk}-reason": "x"}).status_code == 404
    assert OwnershipProof.objects.get(pk=proof.pk).state == ProofState.PENDING
