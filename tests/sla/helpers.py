"""Building orders that match a policy row, at a pinned time."""

from __future__ import annotations

import datetime as dt
import importlib

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.customers.models import CustomerType
from powerdesk.workorders import services as s
from powerdesk.workorders.models import SubType
from tests.factories import AreaFactory, CustomerFactory, topic

SEED = importlib.import_module("powerdesk.sla.migrations.0002_seed_policies")
# Monday 2026-11-16 10:00, with no holiday in the seven weeks that follow.
T0 = dt.datetime(2026, 11, 16, 10, 0, tzinfo=BUSINESS_TZ)


def weekdays_after(start: dt.datetime, n: int) -> dt.datetime:
    day = start
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def expected_due(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    return {
        "minutes": lambda: start + dt.timedelta(minutes=amount),
        "hours": lambda: start + dt.timedelta(hours=amount),
        "days": lambda: start + dt.timedelta(days=amount),
        "working_days": lambda: weekdays_after(start, amount),
    }[unit]()


def customer_for(county, region: str, ctype: str):
    """A customer in a new 台区 of ``region``. A row for "any region / any type" is sampled with the case
    no more specific row covers: a remote area and a commercial customer."""
    area = AreaFactory(parent=county.east, region_class=region or "remote")
    return CustomerFactory(area=area, customer_type=ctype or CustomerType.COMMERCIAL)


def intake(
    users,
    customer,
    *,
    business_type: str,
    sub_type: str | None = None,
    channel: str = "95598",
    topic_code: str = "fault_repair",
):
    return s.workorder_intake(
        actor=users["agent"],
        business_type=business_type,
        topic=topic(topic_code),
        channel=channel,
        description="测试",
        customer=customer,
        sub_type=SubType.objects.get(code=sub_type) if sub_type else None,
    ).order
