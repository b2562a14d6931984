"""Building orders that match a policy row, at a pinned time."""

from __future__ import annotations

import datetime as dt
import importlib

import time_machine

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


def dispatched_repair(users, county, customer):
    """A repair order taken at T0 and dispatched to the east station's repairer (who has a phone)."""
    users["repair"].phone = "13600000000"
    users["repair"].save()
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="repair")
        order = s.workorder_dispatch(
            order=order, actor=users["dispatcher"], unit=county.east, assignee=users["repair"]
        )
    return order


def many_dispatched_repairs(users, county, customer, n):
    first = dispatched_repair(users, county, customer)
    return [first, *more_repairs(users, first.topic, n - 1)]


def more_repairs(users, topic, n):
    orders = []
    for i in range(n):
        with time_machine.travel(T0, tick=False):
            orders.append(
                s.workorder_intake(
                    actor=users["agent"],
                    business_type="repair",
                    topic=topic,
                    channel="95598",
                    description=f"另一处停电{i}",
                    caller_phone=f"1350000000{i}",
                    address=f"和平路{i}号",
                    force_new=True,
                    override_reason="不同地点",
                ).order
            )
    return orders
