"""factory_boy factories shared by every test module."""

from __future__ import annotations

import factory
from django.utils import timezone

from powerdesk.customers.models import Customer, CustomerPhone, CustomerType
from powerdesk.org.models import RegionClass, Role, Unit, UnitKind, User
from powerdesk.workorders.models import Topic


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.STATION
    region_class = RegionClass.URBAN


class AreaFactory(UnitFactory):
    kind = UnitKind.AREA
    name = factory.Sequence(lambda n: f"台区{n}")
    manager_name = "李台区"
    manager_phone = "13900000000"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"员工{n}")
    # Hashed before the one INSERT (a password set after it cost a second save, and the audit trail's
    # reading of the user's state before and after it, for each of the thousands of users the tests make).
    password = factory.django.Password("pw-12345")

    @classmethod
    def with_role(cls, role_code: str, unit: Unit, **kwargs) -> User:
        return cls(role=Role.objects.get(code=role_code), unit=unit, **kwargs)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    account_no = factory.Sequence(lambda n: f"33{n:08d}")
    name = factory.Sequence(lambda n: f"客户{n}")
    customer_type = CustomerType.URBAN_RESIDENT
    address = factory.Sequence(lambda n: f"青溪县城关镇和平路{n}号")
    id_number = "330100199001011234"
    meter_no = factory.Sequence(lambda n: f"M{n:010d}")

    @factory.post_generation
    def phone(obj, create, extracted, **kwargs):
        if create:
            CustomerPhone.objects.create(customer=obj, number=extracted or f"138{obj.pk:08d}")


def topic(code: str = "fault_repair") -> Topic:
    return Topic.objects.get(code=code)


def now():
    return timezone.now()
