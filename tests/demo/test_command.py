"""``powerdesk demo`` refuses to load over existing data unless told to reset it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from powerdesk.customers.models import Customer
from powerdesk.org.models import Role
from powerdesk.sla.models import SlaPolicy
from powerdesk.workorders.models import SubType, Topic, WorkOrder, WorkOrderEvent
from tests.demo.conftest import NOW
from tests.factories import CustomerFactory


def counts() -> tuple[int, int, int]:
    return Customer.objects.count(), WorkOrder.objects.count(), WorkOrderEvent.objects.count()


def reference_counts() -> tuple[int, int, int, int]:
    return Role.objects.count(), Topic.objects.count(), SubType.objects.count(), SlaPolicy.objects.count()


def demo(*args: str) -> str:
    out = StringIO()
    call_command(
        "demo",
        "--customers",
        "80",
        "--orders",
        "16",
        "--now",
        NOW.isoformat(),
        "--workers",
        "1",
        *args,
        stdout=out,
    )
    return out.getvalue()


def test_it_loads_and_prints_what_it_loaded(db):
    output = demo()
    assert "80 customers" in output
    assert "by status:" in output
    assert "could not be applied" not in output
    assert counts()[1] >= 16


def test_it_refuses_a_second_load_without_reset_and_changes_nothing(db):
    demo()
    before = counts()
    with pytest.raises(CommandError, match="--reset"):
        demo()
    assert counts() == before


def test_it_refuses_to_load_over_data_it_did_not_create(county):
    CustomerFactory(area=county.east_area)
    with pytest.raises(CommandError, match="already holds data"):
        demo()
    assert Customer.objects.count() == 1


def test_it_replaces_existing_data_on_reset_and_keeps_the_reference_data(county):
    CustomerFactory(area=county.east_area, account_no="9999999999")
    before = reference_counts()
    demo("--reset")
    assert not Customer.objects.filter(account_no="9999999999").exists()
    assert Customer.objects.count() == 80
    assert reference_counts() == before


def test_it_rejects_a_malformed_moment(db):
    with pytest.raises(CommandError, match="--now"):
        call_command("demo", "--now", "yesterday-ish", stdout=StringIO())
