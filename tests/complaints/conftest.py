"""Fixtures of the complaint tests: complaint orders opened and dispatched the way people do it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from powerdesk.org.models import UnitHead
from powerdesk.workorders import services as s
from powerdesk.workorders.models import SubType, WorkOrder
from tests.factories import UserFactory, topic


def sub_type(code: str) -> SubType:
    return SubType.objects.get(code=code)


@pytest.fixture
def make_complaint(users, customer, county) -> Callable[..., WorkOrder]:
    """A complaint taken by the agent and dispatched to the east station (where the handler sits)."""

    def make(
        sub_type_code: str = "complaint_attitude", topic_code: str = "fault_repair", cust=None, **kwargs
    ) -> WorkOrder:
        order = s.workorder_intake(
            actor=users["agent"],
            business_type="complaint",
            sub_type=sub_type(sub_type_code),
            topic=topic(topic_code),
            channel="95598",
            description=kwargs.pop("description", "抢修人员说话难听，还不肯修"),
            customer=cust or customer,
            caller_phone="13812345678",
            force_new=True,
            override_reason="投诉",
            **kwargs,
        ).order
        return s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)

    return make


@pytest.fixture
def heads(county):
    """Heads of the east station and of the county (one with a phone, one with e-mail only)."""
    east_head = UserFactory.with_role("manager", county.east, username="east_head", phone="13700000001")
    county_head = UserFactory.with_role(
        "manager", county.county, username="county_head", phone="", email="head@example.org"
    )
    UnitHead.objects.create(unit=county.east, user=east_head)
    UnitHead.objects.create(unit=county.county, user=county_head)
    return east_head, county_head


@pytest.fixture
def api(users):
    """``api("handler")``: a client authenticated with that user's token."""
    from tests.api.conftest import client_for

    return lambda name: client_for(users[name])
