"""A customer-side step pauses the whole-process clock (the utility side), and its time is recorded as
the customer's waiting time; the panel and API show the two sides apart."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from powerdesk.applications import selectors
from powerdesk.applications.models import Application
from powerdesk.sla.models import Clock, ClockState
from tests.applications.conftest import active_codes, at, complete, step

pytestmark = pytest.mark.django_db


def test_the_customer_building_works_pause_the_utility_clock_and_count_as_waiting(start, users):
    application = start("lv_business", when=at(2026, 11, 16))
    process_due = application.process_clock.due_at
    complete(step(application, "scheme"), users["handler"], at(2026, 11, 17))
    assert active_codes(application) == ["customer_works"]
    process = Clock.objects.get(pk=application.process_clock_id)
    assert process.state == ClockState.PAUSED and process.paused_at == at(2026, 11, 17)

    complete(step(application, "customer_works"), users["agent"], at(2026, 11, 27))
    process = Clock.objects.get(pk=application.process_clock_id)
    assert process.state == ClockState.RUNNING
    assert process.paused_seconds == 10 * 86400
    assert process.due_at == process_due + dt.timedelta(days=10)
    application = Application.objects.get(pk=application.pk)
    assert application.customer_wait_seconds == 10 * 86400
    assert active_codes(application) == ["inspect"]


def test_the_two_sides_of_the_process_are_shown_apart(start, users):
    application = start("lv_business", when=at(2026, 11, 16))
    complete(step(application, "scheme"), users["handler"], at(2026, 11, 17))
    application = Application.objects.get(pk=application.pk)
    with time_machine.travel(at(2026, 11, 20), tick=False):
        standing = selectors.standing(application, selectors.application_steps(application))
    assert standing == {"customer_seconds": 3 * 86400, "utility_seconds": 86400}


def test_a_step_that_is_not_the_customers_leaves_the_process_clock_running(start, users):
    application = start("lv_resident", when=at(2026, 11, 16))
    complete(step(application, "survey"), users["handler"], at(2026, 11, 17))
    assert Clock.objects.get(pk=application.process_clock_id).state == ClockState.RUNNING
