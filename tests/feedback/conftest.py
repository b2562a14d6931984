from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from procrastinate.contrib.django.models import ProcrastinateJob

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.workorders.choices import Status
from tests.workorders.helpers import intake, walk


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=BUSINESS_TZ)


@pytest.fixture
def replied(users, county, customer):
    """A fault repair, replied on 2026-11-02 at 08:30, waiting for its callback."""
    with time_machine.travel(local(2, 8, 0), tick=False):
        order = intake(users, customer)
        return walk(order, users, county, Status.REPLIED)


def at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


def jobs(task: str) -> list[ProcrastinateJob]:
    return list(ProcrastinateJob.objects.filter(task_name=task).order_by("id"))
