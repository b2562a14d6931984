"""Fixtures of the retention tests: orders taken and closed in the daytime of one day, and the clock
moved past the seeded retention periods (36 months for an order's identity)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.org.models import User
from powerdesk.workorders.attachments import attachment_add
from powerdesk.workorders.choices import Status
from powerdesk.workorders.models import WorkOrder
from tests.console.conftest import login  # noqa: F401
from tests.factories import UserFactory
from tests.workorders.helpers import intake, walk
from tests.workorders.test_attachments import upload

# Taken and closed on a Monday morning (quiet hours would hold the customer's messages at night) …
DAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=BUSINESS_TZ)
# … and looked at again past every seeded period, also in the daytime.
LATER = dt.datetime(2030, 1, 14, 10, 0, tzinfo=BUSINESS_TZ)

DESCRIPTION = "张三说家里停电，回电13812345678，身份证330100199001011234，地址青溪县城关镇和平路8号"


@pytest.fixture
def admin(county) -> User:
    return UserFactory.with_role("admin", county.county, username="sysadmin")


@pytest.fixture
def closed_order(users, county) -> Callable[..., WorkOrder]:
    """An order of ``customer`` taken at DAY with personal data in its text, a repeat call, and closed."""

    def make(
        customer, *, description: str = DESCRIPTION, to: str = Status.ARCHIVED, photo: bool = False, **kwargs
    ) -> WorkOrder:
        with time_machine.travel(DAY, tick=False):
            order = intake(
                users,
                customer,
                description=description,
                caller_name=customer.name,
                address=customer.address,
                force_new=True,
                override_reason="测试",
                **kwargs,
            )
            again = intake(users, customer, description=f"{customer.name}又来电催问，号码13812345678")
            assert again.pk == order.pk  # counted as a repeat call on it
            if photo:
                attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload())
            return walk(order, users, county, to)

    return make


@pytest.fixture
def later() -> Iterator[None]:
    with time_machine.travel(LATER, tick=False):
        yield
