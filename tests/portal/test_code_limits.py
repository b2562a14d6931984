"""The code throttles count per phone and per address: an attacker who spreads over many phones is
stopped by the address, one who spreads over many addresses by the phone; the figures are data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from powerdesk.notify.models import Notification
from powerdesk.portal import services
from powerdesk.portal.models import OneTimeCode, PortalAccount, PortalSession, PortalSettings
from tests.portal.conftest import last_code

pytestmark = pytest.mark.django_db


def _limits(**figures: int) -> None:
    row = PortalSettings.objects.get(is_active=True)
    for name, value in figures.items():
        setattr(row, name, value)
    row.save()  # through the model: the reference cache is cleared


def _phones(n: int) -> list[str]:
    return [f"1370000{i:04d}" for i in range(n)]


def _from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def test_codes_sent_from_one_address_are_limited_across_many_phones(customer):
    _limits(codes_per_address_hour=3)
    client = _from("203.0.113.7")
    answers = [client.post(reverse("portal:sign_in"), {"phone": p}).status_code for p in _phones(4)]
    assert answers == [200, 200, 200, 429]
    assert Notification.objects.filter(template__code="portal_sign_in_code").count() == 3
    # another address is not held back
    assert _from("203.0.113.8").post(reverse("portal:sign_in"), {"phone": "13799990000"}).status_code == 200


def test_codes_to_one_phone_are_limited_across_many_addresses(customer):
    _limits(codes_per_phone_hour=2)
    answers = [
        _from(f"198.51.100.{i}").post(reverse("portal:sign_in"), {"phone": "13700001111"}).status_code
        for i in range(3)
    ]
    assert answers == [200, 200, 429]
    assert OneTimeCode.objects.filter(phone="13700001111").count() == 2


def test_guessing_from_one_address_is_throttled_across_many_phones(customer):
    _limits(failures_per_address_hour=4)
    attacker = _from("203.0.113.9")
    for phone in _phones(5):
        attacker.post(reverse("portal:sign_in"), {"phone": phone})
    for phone in _phones(4):
        answer = attacker.post(reverse("portal:verify"), {"phone": phone, "code": "000000"})
        assert answer.status_code == 200  # a wrong code, each phone's first miss
    # the fifth phone's right code is not even compared: the address is past its limit
    phone = _phones(5)[4]
    right = last_code(phone)
    assert attacker.post(reverse("portal:verify"), {"phone": phone, "code": right}).status_code == 429
    assert not PortalSession.objects.exists()
    # the phone's owner, from their own address, still signs in
    owner = _from("192.0.2.1").post(reverse("portal:verify"), {"phone": phone, "code": right})
    assert owner.status_code == 302


def test_guessing_one_phones_code_from_many_addresses_is_throttled_by_the_phone(customer):
    _limits(failures_per_phone_hour=3, code_attempts=100)
    _from("192.0.2.1").post(reverse("portal:sign_in"), {"phone": "13812345678"})
    right = last_code("13812345678")
    wrong = "000000" if right != "000000" else "111111"
    for i in range(3):
        answer = _from(f"198.51.100.{i}").post(
            reverse("portal:verify"), {"phone": "13812345678", "code": wrong}
        )
        assert answer.status_code == 200
    late = _from("198.51.100.99").post(reverse("portal:verify"), {"phone": "13812345678", "code": right})
    assert late.status_code == 429 and not PortalAccount.objects.exists()


def test_proof_codes_from_one_address_are_limited_across_many_accounts(portal, customer):
    account = PortalAccount.objects.get(phone="13812345678")
    _limits(codes_per_address_hour=2, codes_per_phone_hour=100)
    # the sign-in code of the fixture counted for address None ('unknown') too; use a fresh address
    for _i in range(2):
        services.proof_start(account=account, customer=customer, kind="app_transfer", address="203.0.113.5")
    with pytest.raises(services.Throttled):
        services.proof_start(account=account, customer=customer, kind="app_transfer", address="203.0.113.5")
    assert Notification.objects.filter(template__code="portal_proof_code").count() == 2
    # refused requests count too: the address stays refused
    with pytest.raises(services.Throttled):
        services.proof_start(account=account, customer=customer, kind="app_rename", address="203.0.113.5")
    services.proof_start(account=account, customer=customer, kind="app_transfer", address="203.0.113.6")


def test_proof_codes_to_the_registered_phone_are_limited_across_addresses(portal, customer):
    account = PortalAccount.objects.get(phone="13812345678")
    customer.phones.update(number="13600002222")
    _limits(codes_per_phone_hour=2)
    for i in range(2):
        services.proof_start(
            account=account, customer=customer, kind="app_transfer", address=f"198.51.100.{i}"
        )
    with pytest.raises(services.Throttled):
        services.proof_start(account=account, customer=customer, kind="app_transfer", address="198.51.100.9")


def test_proof_codes_are_refused_over_the_page_with_429(portal, customer):
    _limits(codes_per_address_hour=1)
    url = reverse("portal:apply_proof", args=["transfer"])
    # the fixture's sign-in already used this test client's one send of the hour
    assert portal.post(url, {"customer": customer.account_no}).status_code == 429
    assert not Notification.objects.filter(template__code="portal_proof_code").exists()


def test_a_registered_and_an_unknown_number_take_the_same_path(customer):
    """Same statements for a customer's number and a stranger's: the answer and its timing do not tell
    them apart (a first request from a fresh address each)."""
    import django.db
    import django.test.utils

    services.sign_in_code_request(phone_text="13900000000", address="192.0.2.9")  # caches warm
    counts = []
    for phone, address in (("13812345678", "192.0.2.10"), ("13700001111", "192.0.2.11")):
        with django.test.utils.CaptureQueriesContext(django.db.connection) as queries:
            services.sign_in_code_request(phone_text=phone, address=address)
        counts.append(len(queries))
    assert counts[0] == counts[1]
