"""The network and helpers of the prediction tests: S → F → FU (fuse) → TA (10 customers), TB (2), TE (1);
F → TC (1). Calls go through the ordinary intake; the deferred checks are run by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.db import connection
from procrastinate.contrib.django.models import ProcrastinateJob

from powerdesk.core import refcache
from powerdesk.customers.models import Customer, CustomerSupply
from powerdesk.grid.models import Device
from powerdesk.grid.services import device_create
from powerdesk.outages.models import PredictionRule
from powerdesk.outages.tasks import predict_transformer
from powerdesk.workorders import services as wo
from tests.factories import CustomerFactory, topic

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
SIZES = {"TA": 10, "TB": 2, "TE": 1, "TC": 1}


@dataclass
class PNet:
    devices: dict[str, Device] = field(default_factory=dict)
    customers: dict[str, list[Customer]] = field(default_factory=dict)

    def __getitem__(self, code: str) -> Device:
        return self.devices[code]


@pytest.fixture
def pnet(county) -> PNet:
    net = PNet()

    def add(code: str, kind: str, parent: str | None, **extra: Any) -> Device:
        net.devices[code] = device_create(
            code=code, name=code, kind=kind, parent=net.devices[parent] if parent else None, **extra
        )
        return net.devices[code]

    add("S", "substation", None)
    add("F", "feeder", "S")
    add("FU", "fuse", "F")
    for code, parent in (("TA", "FU"), ("TB", "FU"), ("TE", "FU"), ("TC", "F")):
        add(code, "transformer", parent, ownership="public", area=county.east_area)
        net.customers[code] = []
        for i in range(SIZES[code]):
            mp = add(f"{code}-{i}", "meter_point", code)
            customer = CustomerFactory(area=county.east_area, customer_type="urban_resident")
            CustomerSupply.objects.create(customer=customer, meter_point=mp)
            net.customers[code].append(customer)
    return net


def call(users, customer: Customer, *, business_type: str = "repair", code: str = "fault_repair"):
    return wo.workorder_intake(
        actor=users["agent"],
        business_type=business_type,
        topic=topic(code),
        channel="95598",
        description="家里没电了",
        customer=customer,
        caller_phone="13900000009",
    )


_done: set[int] = set()


def run_checks() -> list[str | None]:
    """Run the deferred transformer checks not run yet, oldest first (as the worker would)."""
    answers = []
    jobs = ProcrastinateJob.objects.filter(task_name=predict_transformer.name).order_by("id")
    for job in jobs:
        if job.pk in _done:
            continue
        _done.add(job.pk)
        with connection.cursor() as cur:  # taken by the worker: a later call may defer the next check
            cur.execute("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = %s", [job.pk])
        answers.append(predict_transformer(**job.args))
    return answers


def set_rule(*, storm: bool = False, **values: int) -> None:
    PredictionRule.objects.filter(unit=None, storm=storm).update(**values)
    refcache.clear()


def at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)
