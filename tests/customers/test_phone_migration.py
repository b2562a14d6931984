"""customers 0003: the stored phones are rewritten in the normal form, copies dropped, non-numbers kept."""

from __future__ import annotations

import importlib

from django.apps import apps

from powerdesk.customers.models import CustomerPhone
from tests.factories import CustomerFactory

migration = importlib.import_module("powerdesk.customers.migrations.0003_normalise_phones")


def test_it_normalises_the_stored_phones_and_keeps_what_it_cannot_read(county):
    one = CustomerFactory(area=county.east_area, phone="+86 139-0000-1111")
    CustomerPhone.objects.create(customer=one, number="0571-8888 1234", label="座机")
    CustomerPhone.objects.create(customer=one, number="13900001111 ", label="同一个号码")
    CustomerPhone.objects.create(customer=one, number="未知", label="无法识别")
    other = CustomerFactory(
        area=county.east_area, phone="008613900001111"
    )  # the same number, another customer

    migration.normalise(apps, None)

    assert sorted(CustomerPhone.objects.filter(customer=one).values_list("number", flat=True)) == [
        "057188881234",
        "13900001111",
        "未知",
    ]
    assert list(other.phones.values_list("number", flat=True)) == ["13900001111"]

    migration.normalise(apps, None)  # a second run changes nothing
    assert CustomerPhone.objects.count() == 4
