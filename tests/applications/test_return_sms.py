"""A step sent back is told to the customer by SMS — the step the application returns to, the reason (in
the return reason's customer wording; the staff's note is never sent) and by when — through notify's
template and enqueue path, so quiet hours and opt-outs hold it like every step message; a step the
customer must do is asked of them."""

from __future__ import annotations

import pytest
import time_machine

from powerdesk.applications.models import Application, ReturnReason, StepTemplate
from powerdesk.applications.services import application_step_return
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.notify.models import (
    CustomerOptOut,
    Notification,
    NotificationState,
    NotificationTemplate,
    SuppressedReason,
)
from tests.applications.conftest import at, complete, step

pytestmark = pytest.mark.django_db

NOTE = "竣工资料中的接线图与现场不符，需重新施工整改（张工说客户很难缠）"  # the staff's, internal
REASON = "检验未通过，需整改后重新检验"  # the seeded customer wording of 检验不合格


def to_inspection(start, users) -> Application:
    application = start("lv_business", when=at(2026, 11, 16))
    complete(step(application, "scheme"), users["handler"], at(2026, 11, 17))
    complete(step(application, "customer_works"), users["agent"], at(2026, 11, 20))
    return application


def send_back(application: Application, users, code: str, when) -> None:
    target = StepTemplate.objects.get(kind=application.kind, code=code)
    with time_machine.travel(when, tick=False):
        application_step_return(
            step=step(application, "inspect"),
            actor=users["handler"],
            to_template=target,
            reason=ReturnReason.objects.get(code="inspection"),
            note=NOTE,
        )


def returned_sms(application: Application) -> list[Notification]:
    return list(
        Notification.objects.filter(
            order=application.order, template__code="application_step_returned"
        ).select_related("template")
    )


def text(sms: Notification) -> str:
    """The message as it will be sent (rendered from the template and the stored context)."""
    return sms.template.render(sms.context)[1]


def test_the_template_is_data_seeded_with_the_ordinary_category():
    template = NotificationTemplate.objects.get(code="application_step_returned")
    assert template.channel == "sms" and template.is_active and template.category_id == "service"


def test_a_step_sent_back_to_the_customer_asks_them_with_the_reason(start, users):
    application = to_inspection(start, users)
    send_back(application, users, "customer_works", at(2026, 11, 23))
    [sms] = returned_sms(application)
    assert sms.state == NotificationState.PENDING and sms.recipient_address == "13812345678"
    assert sms.dedupe_key == f"application:returned:{application.steps.get(template__code='inspect').pk}"
    body = text(sms)
    assert "需重新办理「客户内部工程施工」环节" in body and f"原因：{REASON}。" in body
    assert "接线图" not in body and "难缠" not in body and "note" not in sms.context
    assert "请您按要求办理" in body and application.order.number in body


def test_a_step_sent_back_to_the_utility_says_by_when(start, users):
    application = to_inspection(start, users)
    send_back(application, users, "scheme", at(2026, 11, 23))
    [sms] = returned_sms(application)
    body = text(sms)
    assert "需重新办理「供电方案答复」环节" in body and "2026-11-25前办理完成" in body


def test_at_night_the_message_waits_for_the_end_of_the_quiet_hours(start, users):
    application = to_inspection(start, users)
    send_back(application, users, "customer_works", at(2026, 11, 23, 23))
    [sms] = returned_sms(application)
    assert sms.state == NotificationState.PENDING
    assert sms.send_after is not None and sms.send_after.astimezone(BUSINESS_TZ).date().day == 24


def test_a_customer_who_opted_out_of_sms_is_not_sent_it(start, users, customer):
    CustomerOptOut.objects.create(customer=customer, channel="sms")
    application = to_inspection(start, users)
    send_back(application, users, "customer_works", at(2026, 11, 23))
    [sms] = returned_sms(application)
    assert sms.state == NotificationState.SUPPRESSED and sms.suppressed_reason == SuppressedReason.OPTED_OUT


def test_the_step_message_asks_the_customer_when_the_step_is_theirs(start, users):
    application = start("lv_business", when=at(2026, 11, 16))
    complete(step(application, "scheme"), users["handler"], at(2026, 11, 17))
    works = step(application, "customer_works")
    sms = Notification.objects.select_related("template").get(dedupe_key=f"application:step:{works.pk}")
    assert "需要您办理" in text(sms) and "预计" not in text(sms)


def test_the_customer_wording_is_data_an_administrator_may_change(start, users):
    ReturnReason.objects.filter(code="inspection").update(customer_text="竣工检验发现问题，需整改")
    application = to_inspection(start, users)
    send_back(application, users, "customer_works", at(2026, 11, 23))
    [sms] = returned_sms(application)
    assert "原因：竣工检验发现问题，需整改。" in text(sms)


def test_the_portal_shows_the_customer_wording_not_the_note(start, users):
    from powerdesk.portal.selectors import _event_line
    from powerdesk.workorders.models import WorkOrderEvent

    application = to_inspection(start, users)
    send_back(application, users, "customer_works", at(2026, 11, 23))
    event = WorkOrderEvent.objects.select_related("order__unit").get(
        order=application.order, kind="app_step_returned"
    )
    assert event.note == NOTE
    line = _event_line(event)
    assert line is not None and line.text == REASON
