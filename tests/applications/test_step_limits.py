"""Every seeded kind: its limits as DOMAIN §3 grades them, each step due on the working-day calendar, and
the whole walk to completion with each clock met."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.applications.models import Application, ApplicationKind, ApplicationState, StepSide, StepState
from powerdesk.core import workdays
from powerdesk.sla.models import Clock, ClockKind, ClockState
from tests.applications.conftest import active, at, complete
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEEDED = {  # whole-process limit (working days, utility side) and its grade
    "lv_resident": (5, "A"),
    "lv_business": (6, "A"),
    "hv_single": (22, "A"),
    "hv_dual": (32, "A"),
    "meter_test": (5, "A"),
    "ev_charger": (5, "U"),
    "pv": (20, "U"),
    "transfer": (5, "U"),
    "rename": (3, "U"),
    "close": (5, "U"),
    "suspend": (5, "U"),
}


def test_every_kind_the_issue_lists_is_seeded_with_its_limit_and_grade():
    kinds = {k.code: (k.process_limit_days, k.source_grade) for k in ApplicationKind.objects.all()}
    assert kinds == SEEDED
    assert {k.sub_type.business_type for k in ApplicationKind.objects.select_related("sub_type")} == {
        "application"
    }


@pytest.mark.parametrize("code", sorted(SEEDED))
def test_the_utility_steps_of_a_kind_add_up_to_its_whole_process_limit(code):
    kind = ApplicationKind.objects.get(code=code)
    by_seq: dict[int, int] = {}
    for step in kind.steps.filter(side=StepSide.UTILITY, optional=False):
        by_seq[step.seq] = max(by_seq.get(step.seq, 0), step.limit_days)
    assert sum(by_seq.values()) == kind.process_limit_days


@pytest.mark.parametrize("code", sorted(SEEDED))
def test_each_step_is_due_its_limit_in_working_days_after_it_starts_and_the_walk_meets_every_clock(
    code, start, county
):
    # The walk is about the clocks: a superuser moves every step, whatever its role and unit level (who
    # may act is tests/applications/test_acting.py). hv_dual's first steps are a city's (no city here).
    walker = UserFactory(unit=county.county, username="walker", is_superuser=True)
    application = start(code, when=at(2026, 9, 21))  # the walk crosses National Day for the long kinds
    now = at(2026, 9, 21)
    process = application.process_clock
    assert process.due_at == workdays.add_working_days(now, application.kind.process_limit_days)
    for _round in range(10):
        running = active(application)
        if not running:
            break
        for step in running:
            assert step.due_at == workdays.add_working_days(step.started_at, step.template.limit_days)
            if step.side == StepSide.UTILITY:
                assert step.clock.kind == ClockKind.APP_STEP and step.clock.due_at == step.due_at
            else:
                assert step.clock is None
        now += dt.timedelta(days=1)
        for step in running:
            if step.template.optional:
                continue
            complete(step, walker, now)
    application = Application.objects.get(pk=application.pk)
    assert application.state == ApplicationState.COMPLETED
    assert not application.steps.filter(state=StepState.ACTIVE).exists()
    open_clocks = Clock.objects.filter(order=application.order, state__in=["running", "paused", "breached"])
    assert not open_clocks.exists()
    assert Clock.objects.get(pk=process.pk).state == ClockState.MET


def test_a_residential_connection_taken_before_national_day_is_due_after_the_holiday(start):
    # Tue 29 Sep 2026: the survey (2 working days) runs through Sep 30 and, after Oct 1–7, Oct 8.
    application = start("lv_resident", when=at(2026, 9, 29))
    [survey] = active(application)
    assert survey.due_at == at(2026, 10, 8)
    # The whole process (5 working days): Sep 30, Oct 8, 9, the make-up Saturday Oct 10 and Monday Oct 12.
    assert application.process_clock.due_at == at(2026, 10, 12)
