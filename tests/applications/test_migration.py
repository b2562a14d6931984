"""The step clocks replace the single reply clock of application orders: the seed retires the reply
policies, and an application order open before it gets its application and step clocks, its reply clock
cancelled, so nothing breaches twice."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps

from powerdesk.applications.models import Application, StepState
from powerdesk.sla.models import Clock, ClockKind, ClockState, SlaPolicy
from powerdesk.workorders.models import SubType, WorkOrderEvent
from tests.applications.conftest import MONDAY
from tests.workorders.helpers import intake

SEED = importlib.import_module("powerdesk.applications.migrations.0002_seed_kinds")

pytestmark = pytest.mark.django_db


def test_no_application_reply_policy_is_left_active():
    assert not SlaPolicy.objects.filter(
        business_type="application", clock_kind="reply", is_active=True
    ).exists()


def test_an_order_open_before_the_applications_gets_step_clocks_and_its_reply_clock_cancelled(
    users, customer
):
    with time_machine.travel(MONDAY, tick=False):
        order = intake(
            users, customer, business_type="application", topic_code="business_env", description="申请更名"
        )
    order.sub_type = SubType.objects.get(code="app_rename")
    order.save(update_fields=["sub_type"])
    old = SlaPolicy.objects.filter(business_type="application", clock_kind="reply").first()
    reply = Clock.objects.create(
        order=order,
        policy=old,
        kind=ClockKind.REPLY,
        started_at=MONDAY,
        due_at=MONDAY,
        allowed_seconds=1,
        next_check_at=MONDAY,
    )
    SEED._adopt_open_orders(apps)
    reply.refresh_from_db()
    assert reply.state == ClockState.CANCELLED and reply.next_check_at is None
    application = Application.objects.get(order=order)
    assert application.kind.code == "rename" and application.notice_documents == ["id_card", "rename_proof"]
    [first] = application.steps.all()
    assert first.template.code == "verify" and first.state == StepState.ACTIVE
    assert first.clock.kind == ClockKind.APP_STEP and first.clock.state == ClockState.RUNNING
    event = WorkOrderEvent.objects.get(order=order, kind="app_started")
    assert event.data["adopted"] is True and event.data["cancelled_clocks"] == [reply.pk]
    SEED._adopt_open_orders(apps)  # run again (the test seeding does): nothing doubles
    assert Application.objects.filter(order=order).count() == 1


def _old_rename_order(users, customer, **reply):
    """A 更名 order taken on MONDAY before the applications app, with its reply clock as ``reply`` says."""
    with time_machine.travel(MONDAY, tick=False):
        order = intake(
            users, customer, business_type="application", topic_code="business_env", description="申请更名"
        )
    order.sub_type = SubType.objects.get(code="app_rename")
    order.save(update_fields=["sub_type"])
    Clock.objects.create(
        order=order,
        policy=SlaPolicy.objects.filter(business_type="application", clock_kind="reply").first(),
        kind=ClockKind.REPLY,
        started_at=MONDAY,
        due_at=MONDAY + dt.timedelta(days=1),
        allowed_seconds=86400,
        **reply,
    )
    return order


def test_an_order_whose_reply_clock_breached_is_not_breached_again_by_its_step_clocks(users, customer):
    """Adopted weeks later, its new clocks are already past due: they carry the breach (no event, no
    escalation again, nothing for the sweep), and the order's due time is still the earliest of them."""
    order = _old_rename_order(
        users, customer, state=ClockState.BREACHED, breached_at=MONDAY + dt.timedelta(days=1), level=2
    )
    with time_machine.travel(MONDAY + dt.timedelta(days=40), tick=False):
        SEED._adopt_open_orders(apps)
    clocks = Clock.objects.filter(order=order, kind__in=[ClockKind.APP_STEP, ClockKind.APP_PROCESS])
    assert clocks.count() == 2
    for clock in clocks:
        assert clock.state == ClockState.BREACHED and clock.next_check_at is None
        assert clock.breached_at == clock.due_at and clock.level == 2
    order.refresh_from_db()
    assert order.due_at == min(c.due_at for c in clocks)


def test_an_order_suspended_with_its_clock_paused_gets_paused_step_clocks(users, customer):
    paused_at = MONDAY + dt.timedelta(hours=3)
    order = _old_rename_order(users, customer, state=ClockState.PAUSED, paused_at=paused_at)
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        SEED._adopt_open_orders(apps)
    clocks = Clock.objects.filter(order=order, kind__in=[ClockKind.APP_STEP, ClockKind.APP_PROCESS])
    assert clocks.count() == 2
    assert all(c.state == ClockState.PAUSED and c.paused_at == paused_at for c in clocks)
    assert all(c.next_check_at is None for c in clocks)


def test_a_running_reply_clock_leaves_running_step_clocks(users, customer):
    order = _old_rename_order(users, customer, next_check_at=MONDAY)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        SEED._adopt_open_orders(apps)
    clocks = Clock.objects.filter(order=order, kind__in=[ClockKind.APP_STEP, ClockKind.APP_PROCESS])
    assert {c.state for c in clocks} == {ClockState.RUNNING}
    assert all(c.next_check_at is not None for c in clocks)


CORRECT = importlib.import_module("powerdesk.applications.migrations.0006_adopted_non_residential_lv")


def _open_lv_order(users, who):
    """A 低压新装 order taken before the applications app (no application: the sub-type set after)."""
    with time_machine.travel(MONDAY, tick=False):
        order = intake(users, who, business_type="application", topic_code="business_env", description="新装")
    order.sub_type = SubType.objects.get(code="app_new_lv")
    order.save(update_fields=["sub_type"])
    return order


def test_an_open_low_voltage_order_of_a_business_is_adopted_as_non_residential(
    users, customer, business_customer
):
    shop = _open_lv_order(users, business_customer)
    home = _open_lv_order(users, customer)
    SEED._adopt_open_orders(apps)
    assert Application.objects.get(order=shop).kind.code == "lv_business"
    assert Application.objects.get(order=home).kind.code == "lv_resident"


def test_the_correction_moves_a_business_adopted_as_residential_onto_the_non_residential_kind(
    users, customer, business_customer, monkeypatch
):
    shop = _open_lv_order(users, business_customer)
    home = _open_lv_order(users, customer)
    # what 0002 did before it told the customers apart: the sub-type's first kind for everyone
    monkeypatch.setattr(SEED, "_kind_for", lambda kinds, order: kinds[0])
    SEED._adopt_open_orders(apps)
    wrong = Application.objects.get(order=shop)
    assert wrong.kind.code == "lv_resident"
    old_clocks = [wrong.process_clock_id, *wrong.steps.values_list("clock_id", flat=True)]

    CORRECT.correct(apps)

    fixed = Application.objects.select_related("process_clock").get(order=shop)
    assert fixed.kind.code == "lv_business"
    assert set(fixed.notice_documents) >= {"business_license"}
    assert fixed.process_clock.state == ClockState.RUNNING and fixed.process_clock_id not in old_clocks
    assert fixed.process_clock.due_at > fixed.started_at
    assert set(Clock.objects.filter(pk__in=[c for c in old_clocks if c]).values_list("state", flat=True)) == {
        ClockState.CANCELLED
    }
    running = fixed.steps.filter(state=StepState.ACTIVE).select_related("template")
    assert running and all(s.template.kind_id == fixed.kind_id for s in running)
    assert fixed.steps.filter(state=StepState.WITHDRAWN).exists()
    event = WorkOrderEvent.objects.get(order=shop, kind="app_kind_corrected")
    assert event.data["from_kind"] == "lv_resident" and event.data["kind"] == "lv_business"
    # the residential customer's application is untouched, and a second run changes nothing
    assert Application.objects.get(order=home).kind.code == "lv_resident"
    CORRECT.correct(apps)
    assert WorkOrderEvent.objects.filter(order=shop, kind="app_kind_corrected").count() == 1


def test_the_correction_leaves_an_application_that_moved_on(users, business_customer, monkeypatch):
    shop = _open_lv_order(users, business_customer)
    monkeypatch.setattr(SEED, "_kind_for", lambda kinds, order: kinds[0])
    SEED._adopt_open_orders(apps)
    Application.objects.get(order=shop).steps.update(state=StepState.DONE)
    CORRECT.correct(apps)
    assert Application.objects.get(order=shop).kind.code == "lv_resident"
