"""Starting an application: the order through the normal intake, the 一次性告知 record, the first steps and
their clocks; no reply clock beside them."""

from __future__ import annotations

import pytest

from powerdesk.applications.models import Application, StepState
from powerdesk.sla.models import Clock, ClockKind
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import WorkOrderEvent
from tests.applications.conftest import MONDAY, active_codes

pytestmark = pytest.mark.django_db


def test_starting_opens_an_application_order_with_its_first_step_and_clocks(start, customer):
    application = start("lv_resident")
    order = application.order
    assert order.business_type == BusinessType.APPLICATION and order.sub_type.code == "app_new_lv"
    assert order.channel == "hall" and order.customer == customer
    assert active_codes(application) == ["survey"]
    kinds = sorted(Clock.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == [ClockKind.APP_PROCESS, ClockKind.APP_STEP]
    assert not Clock.objects.filter(order=order, kind=ClockKind.REPLY).exists()
    order.refresh_from_db()
    assert order.due_at == application.steps.get().due_at  # the earliest running clock


def test_the_one_time_notice_lists_every_document_of_every_step_and_how_it_was_given(start, users):
    application = start("lv_business", notice_channel="sms")
    assert application.notice_documents == [
        "id_card",
        "property_proof",
        "business_license",
        "agent_letter",
        "load_list",
        "completion_report",
    ]
    assert application.notice_channel == "sms"
    assert application.notice_given_at == MONDAY and application.notice_given_by == users["agent"]
    event = WorkOrderEvent.objects.get(order=application.order, kind="app_started")
    assert event.data["notice_documents"] == application.notice_documents
    assert event.data["notice_channel"] == "sms"


def test_a_retry_with_the_same_idempotency_key_answers_with_the_first_application(start):
    first = start("rename", idempotency_key="hall-device-7-0001")
    again = start("rename", idempotency_key="hall-device-7-0001")
    assert again.pk == first.pk
    assert Application.objects.count() == 1


def test_the_hall_clerk_takes_an_application_for_a_customer_with_an_earlier_order_as_a_new_one(start):
    first = start("rename")
    second = start("transfer")
    assert first.order_id != second.order_id
    assert second.steps.filter(state=StepState.ACTIVE).count() == 1


def test_a_role_that_may_not_take_orders_cannot_start_one(start, users):
    from powerdesk.core.errors import NotPermitted

    with pytest.raises(NotPermitted):
        start("rename", actor=users["handler"])
