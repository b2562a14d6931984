"""Fixtures of the console tests: logged-in clients and orders made through the real services."""

from __future__ import annotations

import pytest

from powerdesk.workorders import services as s
from powerdesk.workorders.choices import BusinessType, Channel
from tests.factories import topic


def intake(
    actor,
    customer,
    *,
    description="整栋楼停电，邻居家也没电",
    topic_code="fault_repair",
    business_type=BusinessType.REPAIR,
    **kwargs,
):
    return s.workorder_intake(
        actor=actor,
        business_type=business_type,
        topic=topic(topic_code),
        channel=Channel.HOTLINE,
        description=description,
        customer=customer,
        caller_phone=customer.primary_phone if customer else "",
        **kwargs,
    ).order


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def order(users, customer):
    """A repair order of the east customer, taken by the county agent (unit: the county)."""
    return intake(users["agent"], customer)


@pytest.fixture
def east_order(users, county, order):
    """The same order dispatched to the east station, where the repair crew sees it."""
    return s.workorder_dispatch(
        order=order, actor=users["dispatcher"], unit=county.east, expected_version=order.version
    )
