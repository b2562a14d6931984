"""A small topology for the grid tests: one substation, one feeder, a switch with a fuse below it, two
public transformers and a 专变, meter points and customers."""

from __future__ import annotations

from dataclasses import dataclass, field

from powerdesk.customers.models import Customer, CustomerSupply
from powerdesk.grid.models import Device
from powerdesk.grid.services import device_create
from tests.factories import AreaFactory, CustomerFactory


@dataclass
class Net:
    devices: dict[str, Device] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)

    def __getitem__(self, code: str) -> Device:
        return self.devices[code]


def build() -> Net:
    net = Net()
    area_a, area_b = AreaFactory(), AreaFactory()

    def add(code: str, kind: str, parent: str | None, **extra) -> Device:
        device = device_create(
            code=code, name=code, kind=kind, parent=net.devices[parent] if parent else None, **extra
        )
        net.devices[code] = device
        return device

    add("S1", "substation", None)
    add("F1", "feeder", "S1")
    add("F2", "feeder", "S1")
    add("SW1", "switch", "F1")
    add("FU1", "fuse", "SW1")
    add("T1", "transformer", "FU1", ownership="public", area=area_a)
    add("T2", "transformer", "SW1", ownership="public", area=area_b)
    add("T3", "transformer", "F2", ownership="dedicated")
    for t, n in (("T1", 2), ("T2", 1), ("T3", 1)):
        for i in range(n):
            mp = add(f"{t}-M{i}", "meter_point", t)
            customer = CustomerFactory(area=area_a)
            CustomerSupply.objects.create(customer=customer, meter_point=mp)
            net.customers[mp.code] = customer
    return net
