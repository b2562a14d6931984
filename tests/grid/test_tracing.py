"""Tracing the tree both ways, re-parenting with history, dual supply."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.core.errors import ValidationFailed
from powerdesk.customers import supply
from powerdesk.customers.models import CustomerSupply
from powerdesk.grid import selectors
from powerdesk.grid.models import DeviceParentHistory
from powerdesk.grid.services import device_create, device_reparent
from tests.factories import UserFactory
from tests.grid import topology

pytestmark = pytest.mark.django_db


def codes(customers, net) -> set[str]:
    by_customer = {c.pk: code for code, c in net.customers.items()}
    return {by_customer[c.pk] for c in customers}


def test_customers_below_a_feeder_a_switch_and_a_transformer():
    net = topology.build()
    assert codes(supply.customers_below(net["F1"]), net) == {"T1-M0", "T1-M1", "T2-M0"}
    assert codes(supply.customers_below(net["FU1"]), net) == {"T1-M0", "T1-M1"}
    assert codes(supply.customers_below([net["T2"], net["T3"]]), net) == {"T2-M0", "T3-M0"}
    assert not supply.customers_below([]).exists()


def test_devices_above_a_customer_and_the_supply_path():
    net = topology.build()
    customer = net.customers["T1-M0"]
    assert [d.code for d in supply.devices_above(customer)] == ["S1", "F1", "SW1", "FU1", "T1", "T1-M0"]
    assert [[d.code for d in chain] for chain in supply.supply_path(customer)] == [
        ["S1", "F1", "SW1", "FU1", "T1", "T1-M0"]
    ]
    assert supply.transformer_of(customer) == net["T1"]
    assert [d.code for d in selectors.devices_above(net["T1"])] == ["S1", "F1", "SW1", "FU1"]


def test_a_new_device_gets_its_path_from_the_database():
    net = topology.build()
    assert net["FU1"].path == f"/{net['S1'].pk}/{net['F1'].pk}/{net['SW1'].pk}/{net['FU1'].pk}/"


def test_reparenting_moves_the_subtree_and_keeps_history():
    net = topology.build()
    user = UserFactory()
    before = dt.datetime.now(dt.UTC)
    # Switching puts the fuse (and T1 with its customers) on feeder F2.
    device_reparent(device=net["FU1"], new_parent=net["F2"], by=user, reason="倒闸")
    assert codes(supply.customers_below(net["F2"]), net) == {"T1-M0", "T1-M1", "T3-M0"}
    assert codes(supply.customers_below(net["F1"]), net) == {"T2-M0"}
    chain = [d.code for d in supply.devices_above(net.customers["T1-M1"])]
    assert chain == ["S1", "F2", "FU1", "T1", "T1-M1"]
    move = DeviceParentHistory.objects.get()
    assert (move.device, move.old_parent, move.new_parent, move.by) == (
        net["FU1"],
        net["SW1"],
        net["F2"],
        user,
    )
    # As of before the switching, the old tree answers.
    assert codes(supply.customers_below(net["F1"], at=before), net) == {"T1-M0", "T1-M1", "T2-M0"}
    assert codes(supply.customers_below(net["F2"], at=before), net) == {"T3-M0"}
    # And as of now, the new one (the history path agrees with the materialised paths).
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert codes(supply.customers_below(net["F2"], at=later), net) == {"T1-M0", "T1-M1", "T3-M0"}


def test_moving_back_and_forth_keeps_both_moves():
    net = topology.build()
    device_reparent(device=net["T2"], new_parent=net["F2"])
    device_reparent(device=net["T2"], new_parent=net["SW1"])
    assert DeviceParentHistory.objects.count() == 2
    assert codes(supply.customers_below(net["SW1"]), net) == {"T1-M0", "T1-M1", "T2-M0"}


def test_reparenting_refuses_a_cycle_and_a_wrong_kind():
    net = topology.build()
    with pytest.raises(ValidationFailed) as cycle:
        device_reparent(device=net["SW1"], new_parent=net["FU1"])
    assert cycle.value.code == "cycle"
    with pytest.raises(ValidationFailed) as kind:
        device_reparent(device=net["T1"], new_parent=net["S1"])
    assert kind.value.code == "bad_parent"
    assert not DeviceParentHistory.objects.exists()


def test_a_public_transformer_needs_its_area_and_a_dedicated_one_has_none():
    net = topology.build()
    with pytest.raises(ValidationFailed):
        device_create(code="TX", name="TX", kind="transformer", parent=net["F1"], ownership="public")
    with pytest.raises(ValidationFailed):
        device_create(code="TY", name="TY", kind="transformer", parent=net["F1"], ownership="")
    assert net["T1"].area.manager_name  # the 台区经理 follows from the supply point


def test_a_dual_supply_customer_is_out_only_when_both_supplies_are():
    net = topology.build()
    customer = net.customers["T1-M0"]
    CustomerSupply.objects.create(customer=customer, meter_point=net["T3-M0"], is_primary=False)
    assert customer in supply.customers_below(net["F1"])
    assert customer not in supply.customers_out([net["F1"]])
    assert net.customers["T1-M1"] in supply.customers_out([net["F1"]])
    assert customer in supply.customers_out([net["F1"], net["F2"]])
    assert customer in supply.customers_out(net["S1"])
    assert len(supply.supply_path(customer)) == 2


def test_the_admin_form_checks_the_same_rules():
    from django.core.exceptions import ValidationError

    from powerdesk.grid.models import Device

    net = topology.build()
    with pytest.raises(ValidationError):
        Device(code="X", name="X", kind="meter_point", parent=net["F1"]).full_clean()
    with pytest.raises(ValidationError):
        Device(code="Y", name="Y", kind="transformer", parent=net["F1"], ownership="public").full_clean()
    Device(code="Z", name="Z", kind="transformer", parent=net["F1"], ownership="dedicated").full_clean()
