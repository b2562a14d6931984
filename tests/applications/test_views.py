"""The console: the order page's panel (steps, clocks, the 一次性告知 record and every 补件 reason), the
step forms, the dispatcher's view (soonest due first, the user's units only) and the hall clerk's form."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from powerdesk.applications.models import Application, ApplicationKind, DocumentType, StepState
from powerdesk.applications.services import application_document_request
from powerdesk.workorders.models import WorkOrderEvent
from tests.applications.conftest import MONDAY, at, receive_all, step

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_order_page_shows_the_steps_the_notice_and_an_off_list_reason(start, users):
    application = start("lv_resident")
    application_document_request(
        application=application,
        actor=users["handler"],
        document=DocumentType.objects.get(code="load_list"),
        reason="客户新增大功率设备，需核定负荷",
    )
    page = client_for(users["handler"]).get(reverse("workorders:detail", args=[application.order.number]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="application-panel"' in html
    assert "现场勘查" in html and "申请人有效身份证明" in html
    assert "客户新增大功率设备，需核定负荷" in html and "不在告知清单内" in html
    assert (
        reverse("applications:step_complete", args=[application.order.number, step(application, "survey").pk])
        in html
    )


def test_the_handler_completes_a_step_from_the_order_page(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    receive_all(survey, users["handler"])
    with time_machine.travel(at(2026, 11, 17), tick=False):
        answer = client_for(users["handler"]).post(
            reverse("applications:step_complete", args=[application.order.number, survey.pk]),
            {"result": "具备装表条件", "version": application.order.version},
        )
    assert answer.status_code == 302
    survey.refresh_from_db()
    assert survey.state == StepState.DONE and survey.result == "具备装表条件"
    # the step done is one app_step_done event on the order's timeline
    [event] = WorkOrderEvent.objects.filter(order=application.order, kind="app_step_done")
    assert event.data["step"] == "survey" and event.note == "具备装表条件"
    assert event.actor == users["handler"]


def test_a_stale_form_is_told_not_applied(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    answer = client_for(users["handler"]).post(
        reverse("applications:step_complete", args=[application.order.number, survey.pk]),
        {"result": "具备装表条件", "version": 1},
        follow=True,
    )
    assert "已被他人修改" in answer.content.decode()
    survey.refresh_from_db()
    assert survey.state == StepState.ACTIVE


def test_another_roles_step_is_forbidden(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    answer = client_for(users["repair"]).post(
        reverse("applications:step_complete", args=[application.order.number, survey.pk]), {"result": "x"}
    )
    assert answer.status_code == 403


def test_the_dispatchers_view_lists_the_steps_soonest_due_first_within_the_users_units(
    start, users, county, west_customer
):
    later = start("hv_single", when=MONDAY)  # 10 working days
    sooner = start("rename", when=MONDAY)  # 2 working days
    west = start("rename", when=MONDAY, cust=west_customer, dispatch=False)
    page = client_for(users["dispatcher"]).get(reverse("applications:steps"))
    html = page.content.decode()
    assert html.index(sooner.order.number) < html.index(later.order.number)
    assert west.order.number in html  # the county dispatcher sees the county's orders
    handler_page = client_for(users["handler"]).get(reverse("applications:steps")).content.decode()
    assert sooner.order.number in handler_page and west.order.number not in handler_page


def test_the_hall_clerk_starts_an_application_with_the_document_list(users, customer):
    client = client_for(users["agent"])
    form = client.get(reverse("applications:start"))
    assert "受电工程竣工报告" in form.content.decode()  # the lists shown up front
    kind = ApplicationKind
    with time_machine.travel(MONDAY, tick=False):
        answer = client.post(
            reverse("applications:start"),
            {
                "customer": customer.account_no,
                "kind": kind.objects.get(code="rename").pk,
                "notice_channel": "printed",
            },
        )
    assert answer.status_code == 302
    application = Application.objects.get()
    assert application.order.channel == "hall" and application.notice_channel == "printed"


def test_the_form_shows_its_errors_in_chinese(users):
    answer = client_for(users["agent"]).post(reverse("applications:start"), {"customer": "NOPE"})
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "找不到该户号。" in html and "请选择业务办理类别。" in html


def test_a_role_that_does_not_take_calls_cannot_open_the_form(users):
    assert client_for(users["handler"]).get(reverse("applications:start")).status_code == 403


def _at_connect(start, users) -> Application:
    application = start("lv_resident")
    receive_all(step(application, "survey"), users["handler"])
    with time_machine.travel(at(2026, 11, 17), tick=False):
        client_for(users["handler"]).post(
            reverse(
                "applications:step_complete", args=[application.order.number, step(application, "survey").pk]
            ),
            {"result": "具备装表条件"},
        )
    return application


def test_the_return_form_offers_the_reasons_and_records_the_choice_and_the_note(start, users):
    from powerdesk.applications.models import ReturnReason

    application = _at_connect(start, users)
    connect = step(application, "connect")
    page = client_for(users["repair"]).get(reverse("workorders:detail", args=[application.order.number]))
    html = page.content.decode()
    assert 'name="reason"' in html and "现场条件不具备" in html and 'name="note"' in html
    site = ReturnReason.objects.get(code="site")
    with time_machine.travel(at(2026, 11, 18), tick=False):
        answer = client_for(users["repair"]).post(
            reverse("applications:step_return", args=[application.order.number, connect.pk]),
            {
                "to_step": connect.template.kind.steps.get(code="survey").pk,
                "reason": site.pk,
                "note": "表箱被堵",
            },
        )
    assert answer.status_code == 302
    connect.refresh_from_db()
    assert (
        connect.state == StepState.RETURNED and connect.return_reason == site and connect.result == "表箱被堵"
    )
    html = client_for(users["repair"]).get(reverse("workorders:detail", args=[application.order.number]))
    assert "退回原因：现场条件不具备" in html.content.decode()


def test_a_return_without_a_reason_is_told_in_chinese(start, users):
    application = _at_connect(start, users)
    connect = step(application, "connect")
    answer = client_for(users["repair"]).post(
        reverse("applications:step_return", args=[application.order.number, connect.pk]),
        {"to_step": connect.template.kind.steps.get(code="survey").pk, "reason": "表箱被堵"},
        follow=True,
    )
    assert "请选择有效的退回原因。" in answer.content.decode()
    assert step(application, "connect").state == StepState.ACTIVE


def test_the_migration_gives_a_step_sent_back_before_the_reasons_the_reason_other(start, users):
    import importlib

    from django.apps import apps

    from powerdesk.applications.models import ApplicationStep

    migration = importlib.import_module("powerdesk.applications.migrations.0007_return_reasons")
    application = _at_connect(start, users)
    connect = step(application, "connect")
    # as a return recorded before 0007: the free text as the result, no reason
    ApplicationStep.objects.filter(pk=connect.pk).update(state="returned", result="旧的自由文本原因")
    migration.seed(apps, None)
    connect.refresh_from_db()
    assert connect.return_reason.code == "other" and connect.result == "旧的自由文本原因"


def test_the_dispatchers_view_filters_by_step(start, users):
    renamed = start("rename", when=MONDAY)  # at 资料审核
    hv = start("hv_single", when=MONDAY)  # at 供电方案答复
    client = client_for(users["dispatcher"])
    html = client.get(reverse("applications:steps"), {"step": "scheme"}).content.decode()
    assert hv.order.number in html and renamed.order.number not in html
    assert '<option value="scheme" selected>' in html
    # with a kind chosen, only its steps are offered
    html = client.get(reverse("applications:steps"), {"kind": "rename"}).content.decode()
    assert '<option value="verify"' in html and '<option value="scheme"' not in html
