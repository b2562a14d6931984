"""A small feeder and a month of interruptions whose figures are worked out by hand in test_indices.py.

Network (all in the east station's 台区 unless said): S → F → T1 (公变: customers a, b), T2 (公变: c, d, e),
TD (专变: the dedicated customer f), TW (公变 of the west station's 台区: customer g).

June 2026, Beijing time (outages confirmed unless said):

=====  ========  =======================  =====================================  =========================
name   kind      cause                    who, when                              note
=====  ========  =======================  =====================================  =========================
O1     fault     equipment                c, d, e: 3 Jun 10:00, 2 min            under both cut-offs
O2     fault     equipment                a, b: 5 Jun 10:00, 4 min               over 3, not over 5 min
O3     planned   maintenance              a–f: 10 Jun 08:00–12:00 (4 h)          planned
O4     rationing supply_shortage          c, d, e: 15 Jun 18:00–20:00 (2 h)      系统电源不足 (RS-3)
O5     fault     weather                  a, b 20 Jun 10:00–16:00; c, e –14:00;  the Major Event Day
                                          d –13:00
O6     fault     equipment                f: 25 Jun 09:00–10:00                  the dedicated customer
O7     fault     (rejected)               a: 12 Jun 10:00–11:00                  not an outage: ignored
O8     fault     equipment                g: 22 Jun 10:00–11:00                  west: outside the east
=====  ========  =======================  =====================================  =========================

History for the Major Event Day threshold (May 2026): H1 fault, a, 10 May, 60 min; H2 fault, c and d,
20 May, 90 min; H3 planned, a–f, 25 May, 4 h (planned: not in the IEEE history).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest

from powerdesk.core import clock
from powerdesk.customers.models import Customer, CustomerSupply
from powerdesk.grid.models import Device
from powerdesk.grid.services import device_create
from powerdesk.outages.models import Interruption, Outage, OutageSource, OutageState
from tests.factories import CustomerFactory

_numbers = itertools.count(1)


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=clock.BUSINESS_TZ)


@dataclass
class Scenario:
    devices: dict[str, Device] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)


def outage(
    scenario: Scenario,
    kind: str,
    cause: str,
    spans: list[tuple[str, dt.datetime, dt.datetime]],
    state: str = OutageState.CONFIRMED,
) -> Outage:
    """An outage with one interruption per (customer name, start, end) of ``spans``."""
    first = min(s for _c, s, _e in spans)
    row = Outage.objects.create(
        number=f"TDTEST{next(_numbers):04d}",
        kind=kind,
        state=state,
        source=OutageSource.DISPATCHER,
        title=f"{kind} {first:%m-%d}",
        cause=cause,
        actual_start=first,
        actual_end=max(e for _c, _s, e in spans),
        created_at=first,
    )
    Interruption.objects.bulk_create(
        Interruption(
            outage=row,
            customer=scenario.customers[name],
            customer_type=scenario.customers[name].customer_type,
            start=start,
            end=end,
        )
        for name, start, end in spans
    )
    return row


@pytest.fixture
def scenario(county) -> Scenario:
    sc = Scenario()

    def add(code: str, kind: str, parent: str | None, **extra: Any) -> Device:
        sc.devices[code] = device_create(
            code=code, name=code, kind=kind, parent=sc.devices[parent] if parent else None, **extra
        )
        return sc.devices[code]

    add("S", "substation", None)
    add("F", "feeder", "S")
    add("T1", "transformer", "F", ownership="public", area=county.east_area)
    add("T2", "transformer", "F", ownership="public", area=county.east_area)
    add("TD", "transformer", "F", ownership="dedicated")
    add("TW", "transformer", "F", ownership="public", area=county.west_area)
    people = [
        ("a", "T1", county.east_area),
        ("b", "T1", county.east_area),
        ("c", "T2", county.east_area),
        ("d", "T2", county.east_area),
        ("e", "T2", county.east_area),
        ("f", "TD", county.east_area),
        ("g", "TW", county.west_area),
    ]
    for name, transformer, area in people:
        mp = add(f"{transformer}-{name}", "meter_point", transformer)
        customer = CustomerFactory(area=area, customer_type="industrial" if name == "f" else "urban_resident")
        CustomerSupply.objects.create(customer=customer, meter_point=mp)
        sc.customers[name] = customer

    six = "abcdef"
    outage(sc, "fault", "equipment", [(c, at(6, 3, 10), at(6, 3, 10, 2)) for c in "cde"])
    outage(sc, "fault", "equipment", [(c, at(6, 5, 10), at(6, 5, 10, 4)) for c in "ab"])
    outage(sc, "planned", "maintenance", [(c, at(6, 10, 8), at(6, 10, 12)) for c in six])
    outage(sc, "rationing", "supply_shortage", [(c, at(6, 15, 18), at(6, 15, 20)) for c in "cde"])
    outage(
        sc,
        "fault",
        "weather",
        [
            ("a", at(6, 20, 10), at(6, 20, 16)),
            ("b", at(6, 20, 10), at(6, 20, 16)),
            ("c", at(6, 20, 10), at(6, 20, 14)),
            ("e", at(6, 20, 10), at(6, 20, 14)),
            ("d", at(6, 20, 10), at(6, 20, 13)),
        ],
    )
    outage(sc, "fault", "equipment", [("f", at(6, 25, 9), at(6, 25, 10))])
    outage(sc, "fault", "equipment", [("a", at(6, 12, 10), at(6, 12, 11))], state=OutageState.REJECTED)
    outage(sc, "fault", "equipment", [("g", at(6, 22, 10), at(6, 22, 11))])
    # The history before June.
    outage(sc, "fault", "equipment", [("a", at(5, 10, 10), at(5, 10, 11))])
    outage(sc, "fault", "equipment", [(c, at(5, 20, 10), at(5, 20, 11, 30)) for c in "cd"])
    outage(sc, "planned", "maintenance", [(c, at(5, 25, 8), at(5, 25, 12)) for c in six])
    return sc
