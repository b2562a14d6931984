"""An application's order closed mid-process: the customer may withdraw it only before the work is under
way, and once the order closes its running steps are withdrawn (their clocks cancelled, named in the
transition's one event), cannot be moved any more and leave the dispatcher's view."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from powerdesk.applications.models import Application, ApplicationState, ApplicationStep, StepState
from powerdesk.applications.services import application_step_complete
from powerdesk.core.errors import TransitionNotAllowed
from powerdesk.portal.services import portal_actor
from powerdesk.sla.models import Clock, ClockState
from powerdesk.workorders.selectors import transition_refusal
from powerdesk.workorders.services import workorder_cancel_by_customer
from tests.api.conftest import client_for as api_client_for
from tests.applications.conftest import MONDAY, at, complete, step

pytestmark = pytest.mark.django_db


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cancel(application: Application) -> Application:
    order = application.order
    assert order.customer is not None
    with time_machine.travel(at(2026, 11, 17), tick=False):
        workorder_cancel_by_customer(order=order, actor=portal_actor(order.customer), reason="不需要了")
    return Application.objects.select_related("order", "kind", "process_clock").get(pk=application.pk)


def test_a_completed_step_makes_the_application_started_and_not_cancellable(start, users):
    application = start("lv_resident")
    assert transition_refusal(application.order, "cancel_by_customer") is None
    complete(step(application, "survey"), users["handler"], at(2026, 11, 16, 15))
    application.order.refresh_from_db()
    assert application.order.taken_at is None and application.order.status == "dispatched"
    assert transition_refusal(application.order, "cancel_by_customer") == "业务办理已开始，不能撤销。"
    with pytest.raises(TransitionNotAllowed):
        cancel(application)
    application.order.refresh_from_db()
    assert application.order.status == "dispatched"


def test_cancelling_withdraws_the_running_steps_in_the_transitions_one_event(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    application = cancel(application)
    survey.refresh_from_db()
    assert survey.state == StepState.WITHDRAWN and survey.done_at is not None
    assert not application.steps.filter(state=StepState.ACTIVE).exists()
    assert Clock.objects.get(pk=survey.clock_id).state == ClockState.CANCELLED
    assert application.state == ApplicationState.WITHDRAWN
    assert application.process_clock.state == ClockState.CANCELLED
    event = application.order.events.latest("at", "id")
    assert event.kind == "customer_cancel"
    assert event.data["app_steps_withdrawn"] == [{"step": "survey", "round": 1}]
    assert application.order.events.filter(at=event.at).count() == 1  # one event of that change


def left_running(application: Application, code: str) -> ApplicationStep:
    """A step still running on a closed order (rows from before steps were withdrawn on close)."""
    application.steps.filter(template__code=code).update(state=StepState.ACTIVE, done_at=None)
    return step(application, code)


CLOSED = "工单已归档，办理环节不能再办理或退回。"


def test_a_closed_orders_step_is_refused_in_the_service_the_console_and_the_api(start, users):
    application = start("lv_resident")
    cancel(application)
    survey = left_running(application, "survey")
    with pytest.raises(TransitionNotAllowed) as refused:
        application_step_complete(step=survey, actor=users["handler"], result="已勘查")
    assert str(refused.value) == CLOSED
    page = console(users["handler"]).post(
        reverse("applications:step_complete", args=[application.order.number, survey.pk]),
        {"result": "已勘查"},
        follow=True,
    )
    assert CLOSED in page.content.decode()
    api = api_client_for(users["handler"]).post(
        reverse("api-v1-application-step-complete", args=[application.order.number, survey.pk]),
        {"result": "已勘查"},
        format="json",
    )
    assert 400 <= api.status_code < 500 and "error" in api.json()
    assert list(application.steps.values_list("template__code", "state")) == [("survey", "active")]


def test_the_dispatchers_view_leaves_out_closed_orders(start, users):
    kept = start("rename", when=MONDAY)
    closed = start("lv_resident", when=MONDAY)
    cancel(closed)
    left_running(closed, "survey")  # even a step left running on a closed order is not listed
    html = console(users["dispatcher"]).get(reverse("applications:steps")).content.decode()
    assert kept.order.number in html and closed.order.number not in html


def test_a_customer_step_ended_by_the_orders_closing_records_the_customers_waiting_time(start, users):
    from powerdesk.workorders.services import workorder_merge

    application = start("lv_business", when=at(2026, 11, 16))
    duplicate = start("lv_business", when=at(2026, 11, 16))
    complete(step(application, "scheme"), users["handler"], at(2026, 11, 17))  # the customer's works begin
    works = step(application, "customer_works")
    with time_machine.travel(at(2026, 11, 20, 16), tick=False):  # 3 days 6 hours later the order closes
        workorder_merge(order=application.order, actor=users["agent"], parent=duplicate.order)
    works.refresh_from_db()
    assert works.state == StepState.WITHDRAWN and works.done_at == at(2026, 11, 20, 16)
    application = Application.objects.select_related("process_clock").get(pk=application.pk)
    assert application.customer_wait_seconds == 3 * 86400 + 6 * 3600
    assert application.state == ApplicationState.WITHDRAWN
    assert application.process_clock.state == ClockState.CANCELLED


def test_a_utility_step_ended_by_the_orders_closing_adds_no_waiting_time(start, users):
    application = cancel(start("lv_resident"))
    assert application.customer_wait_seconds == 0


def test_the_two_sides_of_a_closed_application_stop_at_the_closing(start, users):
    from powerdesk.applications import selectors
    from powerdesk.workorders.services import workorder_merge

    application = start("lv_business", when=at(2026, 11, 16))
    duplicate = start("lv_business", when=at(2026, 11, 16))
    complete(step(application, "scheme"), users["handler"], at(2026, 11, 17))
    with time_machine.travel(at(2026, 11, 20), tick=False):
        workorder_merge(order=application.order, actor=users["agent"], parent=duplicate.order)
    application = Application.objects.get(pk=application.pk)
    with time_machine.travel(at(2026, 12, 20), tick=False):  # a month later, nothing has grown
        standing = selectors.standing(application, selectors.application_steps(application))
    assert standing == {"customer_seconds": 3 * 86400, "utility_seconds": 86400}


def test_reclassified_out_of_applications_its_steps_end_with_the_one_event(start, users):
    """A 业务办理 order reclassified as a complaint: its steps are withdrawn, its step and whole-process
    clocks cancelled (they would run on and breach under the new type), named in the reclassification's
    event; reclassified within 业务办理, the application runs on."""
    from powerdesk.workorders.models import Topic, WorkOrderEvent
    from powerdesk.workorders.services import workorder_reclassify

    application = start("lv_resident")
    survey = step(application, "survey")
    with time_machine.travel(at(2026, 11, 17), tick=False):
        workorder_reclassify(
            order=application.order,
            actor=users["dispatcher"],
            business_type="complaint",
            topic=Topic.objects.get(code="business_env"),
            reason="客户实为投诉报装时间过长",
        )
    application = Application.objects.select_related("process_clock").get(pk=application.pk)
    survey.refresh_from_db()
    assert survey.state == StepState.WITHDRAWN
    assert Clock.objects.get(pk=survey.clock_id).state == ClockState.CANCELLED
    assert application.state == ApplicationState.WITHDRAWN
    assert application.process_clock.state == ClockState.CANCELLED
    [event] = WorkOrderEvent.objects.filter(order=application.order, kind="reclassify")
    assert event.data["app_steps_withdrawn"] == [{"step": "survey", "round": 1}]


def test_reclassified_within_applications_to_another_kind_the_kind_follows(start, users):
    """Reclassified to a sub-type of another kind (低压新装 → 高压新装), the application is re-planned on
    that kind as by the kind change, named in the reclassification's one event."""
    from powerdesk.workorders.models import SubType, Topic, WorkOrderEvent
    from powerdesk.workorders.services import workorder_reclassify

    application = start("lv_resident")
    survey = step(application, "survey")
    with time_machine.travel(at(2026, 11, 17), tick=False):
        workorder_reclassify(
            order=application.order,
            actor=users["dispatcher"],
            business_type="application",
            topic=Topic.objects.get(code="business_env"),
            sub_type=SubType.objects.get(code="app_new_hv"),
            reason="客户实为高压新装",
        )
    application = Application.objects.select_related("kind", "process_clock").get(pk=application.pk)
    assert application.kind.code == "hv_single" and application.state == ApplicationState.ACTIVE
    survey.refresh_from_db()
    assert survey.state == StepState.WITHDRAWN
    [scheme] = application.steps.filter(state=StepState.ACTIVE).select_related("template", "clock")
    assert scheme.template.code == "scheme"
    # sla's own re-planning of the reclassified order leaves this app's clocks as they were set
    assert scheme.clock.state == ClockState.RUNNING
    assert Clock.objects.get(pk=application.process_clock_id).state == ClockState.RUNNING
    application.order.refresh_from_db()
    assert application.order.due_at == min(scheme.clock.due_at, application.process_clock.due_at)
    [event] = WorkOrderEvent.objects.filter(order=application.order, kind="reclassify")
    assert event.data["app_kind_changed"]["from_kind"] == "lv_resident"
    assert event.data["app_kind_changed"]["ended"] == ["survey"]
    assert not WorkOrderEvent.objects.filter(order=application.order, kind="app_kind_changed").exists()
    page = console(users["dispatcher"])
    html = page.get(reverse("workorders:detail", args=[application.order.number])).content.decode()
    assert "类别：低压居民新装 → 高压单电源新装增容" in html


def test_an_order_reclassified_as_an_application_opens_it_in_the_one_event(users, customer):
    """A consultation that is in fact a 更名: reclassified as 业务办理 of that sub-type, its application
    opens as at the intake (steps, clocks, the 一次性告知 record), named in the reclassification's event."""
    from powerdesk.workorders.models import SubType, Topic, WorkOrderEvent
    from powerdesk.workorders.services import workorder_reclassify
    from tests.workorders.helpers import intake

    with time_machine.travel(MONDAY, tick=False):
        order = intake(
            users, customer, business_type="consultation", topic_code="billing", description="想更名"
        )
    with time_machine.travel(at(2026, 11, 17), tick=False):
        workorder_reclassify(
            order=order,
            actor=users["dispatcher"],
            business_type="application",
            topic=Topic.objects.get(code="business_env"),
            sub_type=SubType.objects.get(code="app_rename"),
            reason="客户要办理更名",
        )
    application = Application.objects.select_related("kind", "process_clock").get(order=order)
    assert application.kind.code == "rename" and application.notice_channel == "printed"
    assert application.notice_documents == ["id_card", "rename_proof"]
    [verify] = application.steps.filter(state=StepState.ACTIVE).select_related("clock")
    assert verify.clock.state == ClockState.RUNNING
    assert application.process_clock.state == ClockState.RUNNING
    [event] = WorkOrderEvent.objects.filter(order=order, kind="reclassify")
    assert event.data["app_started"]["kind"] == "rename"
    assert not WorkOrderEvent.objects.filter(order=order, kind="app_started").exists()
    html = (
        console(users["dispatcher"]).get(reverse("workorders:detail", args=[order.number])).content.decode()
    )
    assert "一次性告知（纸质告知书）：申请人有效身份证明、名称变更证明" in html
