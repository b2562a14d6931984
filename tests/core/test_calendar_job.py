"""The worker keeps the calendar in step every hour (this year and the next derived when not imported)."""

from __future__ import annotations

import pytest
import time_machine
from procrastinate.contrib.django import app

from powerdesk.core import refcache, workdays
from powerdesk.core.tasks import calendar_sync_job
from tests.sla.helpers import T0


def test_the_calendar_sync_runs_every_hour():
    [periodic] = [p for p in app.periodic_registry.periodic_tasks.values() if p.task is calendar_sync_job]
    assert periodic.cron == "7 * * * *" and calendar_sync_job.name in app.tasks


@pytest.mark.django_db(transaction=True)
def test_the_job_derives_next_year_and_says_so():
    refcache.clear()
    with time_machine.travel(T0, tick=False):
        assert calendar_sync_job(timestamp=int(T0.timestamp())) == {"2027": "derived"}
    assert workdays.year_status(2027) == "derived"
    refcache.clear()
