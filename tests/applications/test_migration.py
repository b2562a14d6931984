"""The step clocks replace the single reply clock of application orders: the seed retires the reply
policies, and an application order open before it gets its application and step clocks, its reply clock
cancelled, so nothing breaches twice."""

from __future__ import annotations

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
