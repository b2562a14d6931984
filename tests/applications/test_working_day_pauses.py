"""A customer step's time is taken off the utility side on the working-day calendar: when it ends, the
whole-process clock's due time moves on by the working time the step took, stepping over weekends and
holidays, not by calendar days; sla's step times still end at the new due time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from powerdesk.applications.models import Application
from powerdesk.sla import rules as sla_rules
from powerdesk.sla.models import Clock, ClockState
from tests.applications.conftest import at, complete, step

pytestmark = pytest.mark.django_db


def customer_step_between(start, users, begins: dt.datetime, ends: dt.datetime, taken: dt.datetime):
    """A 低压非居民新装 taken at ``taken``: its scheme done at ``begins`` (the customer's works start, the
    whole process pauses), the customer's works done at ``ends``."""
    application = start("lv_business", when=taken)
    due = application.process_clock.due_at
    complete(step(application, "scheme"), users["handler"], begins)
    assert Clock.objects.get(pk=application.process_clock_id).state == ClockState.PAUSED
    complete(step(application, "customer_works"), users["agent"], ends)
    return Application.objects.get(pk=application.pk), due, Clock.objects.get(pk=application.process_clock_id)


def test_a_customer_step_over_a_weekend_pushes_the_due_time_by_its_working_days_only(start, users):
    # Taken Mon 16 Nov: 6 working days → Tue 24 Nov. The customer's works run Thu 19 Nov 10:00 to
    # Mon 23 Nov 10:00: four calendar days, two working days (Thu's rest, Fri, Mon's morning).
    application, due, process = customer_step_between(
        start, users, at(2026, 11, 19), at(2026, 11, 23), taken=at(2026, 11, 16)
    )
    assert due == at(2026, 11, 24)
    assert process.state == ClockState.RUNNING
    assert process.due_at == at(2026, 11, 26)  # Thu, not Sat 28 Nov as four calendar days would give
    assert process.paused_seconds == 2 * 86400
    # the customer's waiting time is the time they had, as shown beside the utility side's
    assert application.customer_wait_seconds == 4 * 86400


def test_a_customer_step_across_national_day_costs_the_utility_side_none_of_the_holiday(start, users):
    # Taken Mon 28 Sep: 6 working days → Sep 29, 30, Oct 8, 9, the make-up Saturday Oct 10, Mon Oct 12.
    # The customer's works run Wed 30 Sep 10:00 to Thu 8 Oct 10:00, over the holiday (Oct 1–7): one
    # working day of the utility's time.
    application, due, process = customer_step_between(
        start, users, at(2026, 9, 30), at(2026, 10, 8), taken=at(2026, 9, 28)
    )
    assert due == at(2026, 10, 12)
    assert process.due_at == at(2026, 10, 13)  # not Oct 20, eight calendar days on
    assert application.customer_wait_seconds == 8 * 86400


def test_a_customer_step_inside_a_weekend_moves_nothing(start, users):
    # Works recorded as begun and done over a weekend (the portal is open on Sundays): no working time.
    _application, due, process = customer_step_between(
        start, users, at(2026, 11, 21), at(2026, 11, 22), taken=at(2026, 11, 16)
    )
    assert process.due_at == due and process.paused_seconds == 0


def test_the_sweeps_deadline_step_falls_on_the_pushed_due_time(start, users):
    _application, _due, process = customer_step_between(
        start, users, at(2026, 11, 19), at(2026, 11, 23), taken=at(2026, 11, 16)
    )
    assert sla_rules.step_time(process, Decimal(1)) == process.due_at
    assert process.next_check_at is not None and process.next_check_at <= process.due_at
