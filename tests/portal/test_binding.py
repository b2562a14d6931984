"""Binding a customer account: by the holder's name or the ID number's last digits, nothing else, and
the same answer for a wrong number as for wrong details."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from powerdesk.portal.models import AccountBinding
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(customer) -> Client:
    return sign_in(Client(), "13700001111")


def _bind(client: Client, **data: str):
    return client.post(reverse("portal:bind"), {"holder_name": "", "id_digits": "", **data})


def test_the_holders_name_binds_the_account(stranger, customer):
    answer = _bind(stranger, account_no=customer.account_no, holder_name="张 三")
    assert answer.status_code == 302
    assert AccountBinding.objects.get().method == "name"
    assert stranger.get(reverse("portal:account", args=[customer.account_no])).status_code == 200


def test_the_id_numbers_last_digits_bind_the_account(stranger, customer):
    assert _bind(stranger, account_no=customer.account_no, id_digits="1234").status_code == 302
    assert AccountBinding.objects.get().method == "id_digits"


def test_a_wrong_number_and_wrong_details_get_the_same_answer(stranger, customer):
    wrong_name = _bind(stranger, account_no=customer.account_no, holder_name="王五")
    no_such = _bind(stranger, account_no="9999999999", holder_name="王五")
    assert wrong_name.status_code == no_such.status_code == 200
    assert "户号与户主信息不符" in wrong_name.content.decode()
    strip = lambda page, number: page.content.decode().replace(number, "N").split("csrfmiddlewaretoken")[0]  # noqa: E731
    assert strip(wrong_name, customer.account_no) == strip(no_such, "9999999999")
    assert not AccountBinding.objects.exists()


def test_three_digits_are_not_enough(stranger, customer):
    answer = _bind(stranger, account_no=customer.account_no, id_digits="234")
    assert answer.status_code == 200 and not AccountBinding.objects.exists()


def test_binding_failures_are_throttled_per_account(stranger, customer):
    for _i in range(5):
        _bind(stranger, account_no=customer.account_no, holder_name="王五")
    right = _bind(stranger, account_no=customer.account_no, holder_name="张三")
    assert right.status_code == 429 and not AccountBinding.objects.exists()
