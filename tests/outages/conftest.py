"""A small network in the test county: S → F → SW → FU → T1 (two customers, one of them important) and
SW → T2 (one customer), all in the east station's 台区 so the county's users see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from powerdesk.customers.models import Customer, CustomerSupply
from powerdesk.grid.models import Device
from powerdesk.grid.services import device_create
from tests.factories import CustomerFactory


@dataclass
class Net:
    devices: dict[str, Device] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)

    def __getitem__(self, code: str) -> Device:
        return self.devices[code]


@pytest.fixture
def net(county) -> Net:
    net = Net()

    def add(code: str, kind: str, parent: str | None, **extra: Any) -> Device:
        net.devices[code] = device_create(
            code=code, name=code, kind=kind, parent=net.devices[parent] if parent else None, **extra
        )
        return net.devices[code]

    add("S", "substation", None)
    add("F", "feeder", "S")
    add("SW", "switch", "F")
    add("FU", "fuse", "SW")
    add("T1", "transformer", "FU", ownership="public", area=county.east_area)
    add("T2", "transformer", "SW", ownership="public", area=county.east_area)
    people = [
        ("home", "T1", "urban_resident", "13800000001", "青溪县城关镇梧桐巷8号"),
        ("clinic", "T1", "important", "13800000002", "青溪县城关镇梧桐巷10号卫生院"),
        ("shop", "T2", "commercial", "13800000003", "青溪县城关镇银杏街3号"),
    ]
    for name, transformer, kind, phone, address in people:
        mp = add(f"{transformer}-{name}", "meter_point", transformer)
        customer = CustomerFactory(area=county.east_area, customer_type=kind, phone=phone, address=address)
        CustomerSupply.objects.create(customer=customer, meter_point=mp)
        net.customers[name] = customer
    return net


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user
