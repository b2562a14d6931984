"""A customer carries the company of their 台区 (the root of its unit tree), set by the database on
insert and on a move to another area, whatever the writer sent: the column the intake's customer lookup
names (docs/scaling.md)."""

from __future__ import annotations

from django.db import connection

from powerdesk.customers.models import Customer
from powerdesk.org.selectors import unit_company_id
from tests.factories import AreaFactory, CustomerFactory, UnitFactory


def _company_in_db(customer: Customer) -> int:
    return Customer.objects.values_list("company_id", flat=True).get(pk=customer.pk)


def test_a_new_customer_carries_the_company_of_its_area(county):
    customer = CustomerFactory(area=county.east_area)
    assert customer.company_id == county.county.pk  # read back from the insert
    assert _company_in_db(customer) == county.county.pk == unit_company_id(county.east_area)


def test_a_customer_moved_to_an_area_of_another_company_follows_it(county):
    other = UnitFactory(code="P2", name="另一省公司")
    other_area = AreaFactory(code="P2-01", parent=UnitFactory(code="P2-S", parent=other))
    customer = CustomerFactory(area=county.east_area)
    customer.area = other_area
    customer.save()
    assert _company_in_db(customer) == other.pk == unit_company_id(other_area)
    Customer.objects.filter(pk=customer.pk).update(area=county.west_area)
    assert _company_in_db(customer) == county.county.pk


def test_a_writer_cannot_give_a_customer_another_company(county):
    customer = CustomerFactory(area=county.east_area)
    Customer.objects.filter(pk=customer.pk).update(company_id=county.east.pk)
    assert _company_in_db(customer) == county.county.pk


def test_a_raw_insert_that_names_no_company_gets_its_areas(county):
    """As the bench seeds write customers: a hand INSERT without the column."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO customers_customer (account_no, name, customer_type, area_id, address, meter_no,"
            " id_number, is_sensitive, sensitive_reason, is_life_support, multi_resident, shared_meter,"
            " preferred_channel, notes, created_at)"
            " VALUES ('3399000001', '王五', 'urban_resident', %s, '青溪县', '', '', false, '', false, false,"
            " false, 'phone', '', now()) RETURNING company_id",
            [county.west_area.pk],
        )
        (company,) = cur.fetchone()
    assert company == county.county.pk
