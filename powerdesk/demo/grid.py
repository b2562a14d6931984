"""The demo county's supply network: two substations, twelve 10 kV feeders, a sectionalising switch (a
recloser on rural feeders) and branch fuses on each, one public transformer per 台区, a 专变 for some
factories and the important customers, and a meter point for every customer. The hospitals and the water
works have a second supply from a feeder of the other substation (dual supply); a data set too small to
have one gives its first important customer a second supply instead.

Written in bulk, a level at a time (the database computes each path from the parent's on insert)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from powerdesk.customers.models import CustomerSupply, CustomerType
from powerdesk.demo.county import County
from powerdesk.demo.customers import DemoCustomer
from powerdesk.grid.models import Device, DeviceKind, Ownership
from powerdesk.org.models import RegionClass

SUBSTATIONS = (("QX-SS1", "青溪110kV城关变电站"), ("QX-SS2", "青溪35kV东桥变电站"))
FEEDERS_PER_SUBSTATION = 6
AREAS_PER_FUSE = 3
# Important customers whose loss of power cannot wait for one feeder's repair get a second supply.
DUAL_SUPPLY_MARKS = ("医院", "自来水厂")


@dataclass
class TopologySummary:
    devices: int = 0
    transformers: int = 0
    dedicated: int = 0
    meter_points: int = 0
    dual_supply: int = 0


def _bulk(devices: list[Device]) -> list[Device]:
    return Device.objects.bulk_create(devices, batch_size=5000)


def build_topology(rng: random.Random, county: County, people: list[DemoCustomer]) -> TopologySummary:
    summary = TopologySummary()
    substations = _bulk(
        [Device(code=code, name=name, kind=DeviceKind.SUBSTATION) for code, name in SUBSTATIONS]
    )
    # The town stations (urban first in the county's list) split between the two substations.
    half = -(-len(county.stations) // 2)
    groups = [county.stations[:half], county.stations[half:]]
    feeders: list[Device] = []
    feeder_areas: list[list] = []
    for substation, stations in zip(substations, groups, strict=True):
        areas = [a for s in stations for a in s.areas]
        per_feeder = -(-len(areas) // FEEDERS_PER_SUBSTATION)
        for i in range(FEEDERS_PER_SUBSTATION):
            chunk = areas[i * per_feeder : (i + 1) * per_feeder]
            town = chunk[0].station.spec.town if chunk else ""
            feeders.append(
                Device(
                    code=f"{substation.code}-F{i + 1:02d}",
                    name=f"10kV{town}{i + 1}号线",
                    kind=DeviceKind.FEEDER,
                    parent=substation,
                )
            )
            feeder_areas.append(chunk)
    _bulk(feeders)
    heads = _bulk(
        [
            Device(
                code=f"{f.code}-K1",
                name=f"{f.name}分段{'重合器' if _rural(areas) else '开关'}",
                kind=DeviceKind.RECLOSER if _rural(areas) else DeviceKind.SWITCH,
                parent=f,
            )
            for f, areas in zip(feeders, feeder_areas, strict=True)
        ]
    )
    fuses: list[Device] = []
    fuse_of_area: dict[int, Device] = {}
    for head, areas in zip(heads, feeder_areas, strict=True):
        for j in range(0, len(areas), AREAS_PER_FUSE):
            fuse = Device(
                code=f"{head.code}-RD{j // AREAS_PER_FUSE + 1}",
                name=f"{areas[j].unit.name}支线熔断器",
                kind=DeviceKind.FUSE,
                parent=head,
            )
            fuses.append(fuse)
            for area in areas[j : j + AREAS_PER_FUSE]:
                fuse_of_area[area.unit.pk] = fuse
    _bulk(fuses)
    feeder_of_area = {a.unit.pk: f for f, areas in zip(feeders, feeder_areas, strict=True) for a in areas}
    public = _bulk(
        [
            Device(
                code=f"T-{a.unit.code}",
                name=f"{a.unit.name}公变",
                kind=DeviceKind.TRANSFORMER,
                parent=fuse_of_area[a.unit.pk],
                ownership=Ownership.PUBLIC,
                area=a.unit,
            )
            for a in county.areas
            if a.unit.pk in fuse_of_area
        ]
    )
    transformer_of_area = {t.area_id: t for t in public}
    # 专变: every important customer and about a third of the factories, straight off their area's feeder.
    own: list[tuple[DemoCustomer, Device]] = []
    for person in people:
        ctype = person.customer.customer_type
        if ctype == CustomerType.IMPORTANT or (ctype == CustomerType.INDUSTRIAL and rng.random() < 0.3):
            feeder = feeder_of_area[person.area.unit.pk]
            own.append(
                (
                    person,
                    Device(
                        code=f"ZB-{person.customer.pk:06d}",
                        name=f"{person.area.unit.name}专变{len(own) + 1}号",
                        kind=DeviceKind.TRANSFORMER,
                        parent=feeder,
                        ownership=Ownership.DEDICATED,
                    ),
                )
            )
    # The second supply of a dual-supply customer: a 专变 on a feeder of the other substation.
    second: list[tuple[DemoCustomer, Device]] = []
    substation_of: dict[int | None, int | None] = {f.pk: f.parent_id for f in feeders}
    other_feeders: dict[int | None, list[Device]] = {
        s.pk: [f for f in feeders if f.parent_id != s.pk] for s in substations
    }
    dual = [p.customer.pk for p, _d in own if any(mark in p.customer.name for mark in DUAL_SUPPLY_MARKS)]
    if not dual:  # a small data set without a hospital: its first important customer stands in
        dual = [p.customer.pk for p, _d in own if p.customer.customer_type == CustomerType.IMPORTANT][:1]
    for person, first in own:
        if person.customer.pk in dual:
            feeder = rng.choice(other_feeders[substation_of[first.parent_id]])
            second.append(
                (
                    person,
                    Device(
                        code=f"ZB-{person.customer.pk:06d}-2",
                        name=f"{first.name}（备用电源）",
                        kind=DeviceKind.TRANSFORMER,
                        parent=feeder,
                        ownership=Ownership.DEDICATED,
                    ),
                )
            )
    _bulk([d for _p, d in own + second])
    dedicated = {p.customer.pk: d for p, d in own}
    meter_points: list[tuple[DemoCustomer, Device, bool]] = []
    for person in people:
        customer = person.customer
        transformer = dedicated.get(customer.pk) or transformer_of_area.get(customer.area_id)
        if transformer is None:
            continue
        meter_points.append((person, _meter_point(customer, transformer, ""), True))
    for person, transformer in second:
        meter_points.append((person, _meter_point(person.customer, transformer, "-2"), False))
    _bulk([mp for _p, mp, _primary in meter_points])
    CustomerSupply.objects.bulk_create(
        [
            CustomerSupply(customer=p.customer, meter_point=mp, is_primary=primary)
            for p, mp, primary in meter_points
        ],
        batch_size=5000,
    )
    summary.transformers = len(public) + len(own) + len(second)
    summary.dedicated = len(own) + len(second)
    summary.meter_points = len(meter_points)
    summary.dual_supply = len(second)
    summary.devices = Device.objects.count()
    return summary


def _rural(areas: list) -> bool:
    return sum(a.unit.region_class != RegionClass.URBAN for a in areas) * 2 > len(areas)


def _meter_point(customer, transformer: Device, suffix: str) -> Device:  # type: ignore[no-untyped-def]
    # Codes and names carry no account number or customer name: the tree shows them to every user,
    # and those are personal data the masking policy decides about (org.masking).
    return Device(
        code=f"MP-{customer.pk:07d}{suffix}",
        name=f"计量点{customer.pk:07d}{suffix}",
        kind=DeviceKind.METER_POINT,
        parent=transformer,
    )
