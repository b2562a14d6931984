"""一次性告知 by SMS: an application whose list is given by SMS is sent every document it needs at once
(through notify's template and enqueue path); a printed or portal notice sends none; a changed kind's new
list is sent again."""

from __future__ import annotations

import pytest
import time_machine

from powerdesk.applications.models import ApplicationKind
from powerdesk.applications.services import application_kind_change
from powerdesk.notify.models import Notification
from tests.applications.conftest import MONDAY, at, complete, step

pytestmark = pytest.mark.django_db


def notices(application) -> list[Notification]:
    return list(
        Notification.objects.filter(order=application.order, template__code="application_notice")
        .select_related("template")
        .order_by("id")
    )


def text(sms: Notification) -> str:
    return sms.template.render(sms.context)[1]


def test_the_list_given_by_sms_is_sent_by_sms(start):
    application = start("rename", notice_channel="sms")
    [sms] = notices(application)
    assert sms.recipient_address == "13812345678"
    body = text(sms)
    assert "申请人有效身份证明、名称变更证明" in body and application.order.number in body and "更名" in body


@pytest.mark.parametrize("channel", ["printed", "portal"])
def test_a_list_given_otherwise_sends_no_sms(start, channel):
    assert notices(start("rename", notice_channel=channel)) == []


def test_a_changed_kind_sends_its_new_list(start, users):
    application = start("rename", notice_channel="sms", when=MONDAY)
    complete(step(application, "verify"), users["handler"], at(2026, 11, 17))
    with time_machine.travel(at(2026, 11, 18), tick=False):
        application_kind_change(
            application=application,
            actor=users["dispatcher"],
            kind=ApplicationKind.objects.get(code="transfer"),
            reason="实为过户",
        )
    first, second = notices(application)
    assert "原户主同意过户证明" in text(second) and "过户" in text(second)
    assert "原户主同意过户证明" not in text(first)


def test_the_printed_notice_lists_every_document_and_how_it_was_given(start, users):
    from django.test import Client
    from django.urls import reverse

    application = start("lv_business", notice_channel="printed")
    client = Client()
    client.force_login(users["agent"])
    order_page = client.get(reverse("workorders:detail", args=[application.order.number])).content.decode()
    url = reverse("applications:notice", args=[application.order.number])
    assert url in order_page
    html = client.get(url).content.decode()
    notice = html[html.index('id="application-notice"') :]
    for name in ("申请人有效身份证明", "营业执照或组织机构证明", "用电设备清单", "受电工程竣工报告"):
        assert name in notice
    assert "纸质告知书" in notice and application.order.number in notice
    outsider = Client()
    outsider.force_login(users["west_repair"])
    assert outsider.get(url).status_code == 404  # another unit's order does not exist
    assert client.get(reverse("applications:notice", args=["NOPE"])).status_code == 404
