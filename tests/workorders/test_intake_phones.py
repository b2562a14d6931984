"""Intake checks and normalises the caller's phone (core.phones), or records that there was no caller ID."""

from __future__ import annotations

import pytest

from powerdesk.core.errors import ValidationFailed
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import BusinessType, Channel
from powerdesk.workorders.models import Contact, WorkOrder
from tests.factories import topic


def take(users, **kwargs):
    kwargs.setdefault("customer", None)
    return s.workorder_intake(
        actor=users["agent"],
        business_type=BusinessType.CONSULTATION,
        topic=topic("billing"),
        channel=Channel.HOTLINE,
        description="咨询电价",
        **kwargs,
    )


@pytest.mark.parametrize("phone", ["abc-12", "12345", "0571-8888"])
def test_it_refuses_a_phone_that_is_not_one_with_the_field_named(users, phone):
    with pytest.raises(ValidationFailed) as refused:
        take(users, caller_phone=phone)

    assert list(refused.value.fields) == ["caller_phone"]
    assert WorkOrder.objects.count() == 0


def test_it_stores_the_phone_normalised_on_the_order_and_the_contact(users):
    res = take(users, caller_phone="+86 138-1234-5678")

    assert res.order.caller_phone == "13812345678"
    assert Contact.objects.get().phone == "13812345678"


def test_a_call_without_caller_id_is_recorded_as_withheld(users):
    res = take(users, caller_withheld=True, address="青溪县城关镇")

    order = WorkOrder.objects.get(pk=res.order.pk)
    assert (order.caller_phone, order.caller_withheld) == ("", True)
    assert Contact.objects.get().phone_withheld is True


def test_an_anonymous_call_needs_no_address_when_it_says_the_number_was_withheld(users):
    assert take(users, caller_withheld=True).created


def test_withheld_and_a_number_together_are_refused(users):
    with pytest.raises(ValidationFailed) as refused:
        take(users, caller_withheld=True, caller_phone="13812345678")
    assert list(refused.value.fields) == ["caller_phone"]


def test_the_same_call_typed_two_ways_is_one_idempotent_request(users):
    first = take(users, caller_phone="13812345678", idempotency_key="k-phone")
    again = take(users, caller_phone="+86 13812345678", idempotency_key="k-phone")
    assert again.replayed and again.order == first.order


def test_a_call_out_to_a_bad_number_is_refused_and_a_good_one_stored_normalised(users, customer):
    order = take(users, customer=customer, caller_phone="13812345678").order
    with pytest.raises(ValidationFailed) as refused:
        s.workorder_call_out(order=order, actor=users["agent"], number="12345")
    assert list(refused.value.fields) == ["number"]
