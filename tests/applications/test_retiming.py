"""A change of the working-day calendar moves the applications' clocks (sla's re-timing leaves them to
this app: their limits are the step templates')."""

from __future__ import annotations

import pytest

from powerdesk.applications.retiming import on_calendar_changed, retime_application_clocks
from powerdesk.core import refcache, workdays
from powerdesk.core.models import CalendarDay
from powerdesk.sla.models import Clock
from powerdesk.workorders.models import WorkOrderEvent
from tests.applications.conftest import at, step

pytestmark = pytest.mark.django_db


def test_a_day_made_a_holiday_moves_the_step_and_process_clocks_by_a_day(start):
    application = start("lv_resident", when=at(2026, 11, 16))
    survey = step(application, "survey")
    assert survey.due_at == at(2026, 11, 18)
    assert workdays.calendar_changed.get("applications.retime") is on_calendar_changed
    CalendarDay.objects.update_or_create(
        date=at(2026, 11, 17).date(), defaults={"is_workday": False, "name": "test"}
    )
    refcache.clear()
    moved = retime_application_clocks(workdays.CalendarChange({2026: workdays.REASON_IMPORTED}))
    assert moved == 2
    survey.refresh_from_db()
    assert survey.due_at == at(2026, 11, 19)
    assert Clock.objects.get(pk=survey.clock_id).due_at == at(2026, 11, 19)
    assert Clock.objects.get(pk=application.process_clock_id).due_at == at(2026, 11, 24)
    event = WorkOrderEvent.objects.get(order=application.order, kind="app_retimed")
    assert {m["kind"] for m in event.data["retimed"]} == {"app_step", "app_process"}
