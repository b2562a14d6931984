"""The order's own 挂起 / 恢复 and an application's clocks. A suspension with a reason that stops the clocks
pauses the running steps' clocks and the whole process; a customer step pauses the whole process too.
The two make one pause: a resume while the customer step runs does not start the utility side's clock,
a customer step ending while the order is suspended does not either, and the pause is counted once."""

from __future__ import annotations

import pytest
import time_machine

from powerdesk.applications.models import Application, ApplicationStep
from powerdesk.sla.models import Clock, ClockState
from powerdesk.workorders import services as s
from powerdesk.workorders.models import WorkOrder
from tests.applications.conftest import at, complete, step

pytestmark = pytest.mark.django_db


def suspend(order: WorkOrder, users, when, reason_code: str = "customer_postpone") -> None:
    with time_machine.travel(when, tick=False):
        s.workorder_suspend(
            order=WorkOrder.objects.get(pk=order.pk),
            actor=users["dispatcher"],
            reason="客户要求暂缓",
            reason_code=reason_code,
        )


def resume(order: WorkOrder, users, when) -> None:
    with time_machine.travel(when, tick=False):
        s.workorder_resume(order=WorkOrder.objects.get(pk=order.pk), actor=users["dispatcher"])


def process(application: Application) -> Clock:
    return Clock.objects.get(pk=application.process_clock_id)


def test_an_order_resumed_while_the_customer_step_runs_keeps_the_utility_clock_paused(start, users):
    application = start("lv_business", when=at(2026, 11, 16))
    assert process(application).due_at == at(2026, 11, 24)
    complete(step(application, "scheme"), users["handler"], at(2026, 11, 17))  # the customer's works begin
    suspend(application.order, users, at(2026, 11, 18))
    resume(application.order, users, at(2026, 11, 19))
    assert process(application).state == ClockState.PAUSED  # the customer's works still run
    complete(step(application, "customer_works"), users["agent"], at(2026, 11, 24))
    clock = process(application)
    # one pause, Tue 17 10:00 → Tue 24 10:00: five working days, counted once
    assert clock.state == ClockState.RUNNING
    assert clock.due_at == at(2026, 12, 1) and clock.paused_seconds == 7 * 86400
    order = WorkOrder.objects.get(pk=application.order_id)
    assert order.due_at is not None and order.due_at <= clock.due_at


def test_a_customer_step_ending_while_the_order_is_suspended_leaves_the_utility_clock_paused(start, users):
    application = start("lv_business", when=at(2026, 11, 16))
    suspend(application.order, users, at(2026, 11, 17))  # during the scheme (a utility step)
    scheme = step(application, "scheme")
    assert Clock.objects.get(pk=scheme.clock_id).state == ClockState.PAUSED
    assert process(application).state == ClockState.PAUSED
    complete(scheme, users["handler"], at(2026, 11, 18))
    complete(step(application, "customer_works"), users["agent"], at(2026, 11, 19))
    inspect = step(application, "inspect")  # started while the order is suspended: it waits too
    assert Clock.objects.get(pk=inspect.clock_id).state == ClockState.PAUSED
    assert process(application).state == ClockState.PAUSED
    resume(application.order, users, at(2026, 11, 20))
    clock = process(application)
    # one pause, Tue 17 → Fri 20 10:00: three working days; the process was due Tue 24 Nov
    assert clock.state == ClockState.RUNNING and clock.due_at == at(2026, 11, 27)
    inspect_clock = Clock.objects.get(pk=inspect.clock_id)
    # the inspection started Thu 19 10:00 and waited a working day
    assert inspect_clock.state == ClockState.RUNNING
    assert inspect_clock.due_at == at(2026, 11, 24)  # 2 working days from Fri 20 10:00 … Tue 24
    assert ApplicationStep.objects.get(pk=inspect.pk).due_at == inspect_clock.due_at
    assert Application.objects.get(pk=application.pk).suspended_at is None


def test_a_suspension_pauses_a_utility_step_and_the_resume_pushes_it_on_working_days(start, users):
    application = start("lv_business", when=at(2026, 11, 16))
    scheme = step(application, "scheme")
    assert scheme.due_at == at(2026, 11, 18)
    suspend(application.order, users, at(2026, 11, 17))
    resume(application.order, users, at(2026, 11, 23))  # Tue → Mon: four working days
    clock = Clock.objects.get(pk=scheme.clock_id)
    assert clock.state == ClockState.RUNNING and clock.due_at == at(2026, 11, 24)
    assert ApplicationStep.objects.get(pk=scheme.pk).due_at == at(2026, 11, 24)
    assert process(application).due_at == at(2026, 11, 30)  # Tue 24 Nov + four working days
    events = dict(application.order.events.filter(kind__in=["suspend", "resume"]).values_list("kind", "data"))
    assert {c["kind"] for c in events["suspend"]["app_clocks"]} == {"app_step", "app_process"}
    assert {c["to"] for c in events["resume"]["app_clocks"]} == {"running"}


def test_a_suspension_for_a_reason_that_does_not_stop_the_clocks_pauses_nothing(start, users):
    application = start("lv_business", when=at(2026, 11, 16))
    suspend(application.order, users, at(2026, 11, 17), reason_code="awaiting_materials")
    scheme = step(application, "scheme")
    assert Clock.objects.get(pk=scheme.clock_id).state == ClockState.RUNNING
    assert process(application).state == ClockState.RUNNING
    assert Application.objects.get(pk=application.pk).suspended_at is None
