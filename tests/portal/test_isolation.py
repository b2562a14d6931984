"""A customer reaches only the accounts and orders bound to them: anything else, existing or not, is
the same 404 (never a 403 that would confirm the number exists)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from powerdesk.workorders import services as s
from tests.factories import topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def others_order(users, west_customer):
    return s.workorder_intake(
        actor=users["agent"],
        business_type="repair",
        topic=topic(),
        channel="95598",
        description="西岭村停电",
        customer=west_customer,
        caller_phone="13987654321",
    ).order


def test_another_customers_order_is_not_found(portal, others_order):
    theirs = portal.get(reverse("portal:order", args=[others_order.number]))
    missing = portal.get(reverse("portal:order", args=["000000000000"]))
    assert theirs.status_code == missing.status_code == 404
    cancel = portal.post(reverse("portal:cancel", args=[others_order.number]))
    assert cancel.status_code == 404
    others_order.refresh_from_db()
    assert others_order.status == "accepted"


def test_another_customers_account_is_not_found(portal, west_customer):
    assert portal.get(reverse("portal:account", args=[west_customer.account_no])).status_code == 404
    assert portal.get(reverse("portal:account", args=["0000000000"])).status_code == 404


def test_another_customers_orders_are_not_listed(portal, others_order):
    assert others_order.number not in portal.get(reverse("portal:home")).content.decode()
