"""A customer on a 390×844 phone, in Chromium under the server's Content-Security-Policy: signs in with
the SMS code, agrees to the privacy notice, binds their account, reports a fault, and later reads the
crew's reply on the order's page. No page scrolls sideways; no policy violation, no script error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from powerdesk.notify.models import Notification
from powerdesk.notify.services import SECRET_CONTEXT
from powerdesk.workorders import services as s
from powerdesk.workorders.models import WorkOrder

pytestmark = pytest.mark.e2e
VIOLATION = re.compile(r"Content Security Policy|Refused to (execute|load|apply|evaluate)", re.I)
PHONE = "13812345678"


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (page.url, width)


def test_a_customer_reports_a_fault_on_a_phone_and_reads_the_reply(server, page, people):
    customer, users = people
    page.set_viewport_size({"width": 390, "height": 844})
    seen: list[str] = []
    page.on("console", lambda message: VIOLATION.search(message.text) and seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(f"script error: {error}"))

    page.goto(f"{server}/portal/")
    expect(page.get_by_role("heading", name="手机号登录")).to_be_visible()
    _no_sideways_scroll(page)
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    code = Notification.objects.filter(template__code="portal_sign_in_code", recipient_address=PHONE).latest(
        "id"
    )
    page.get_by_label("短信验证码").fill(str(code.context[SECRET_CONTEXT]["code"]))
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="隐私声明")).to_be_visible()
    _no_sideways_scroll(page)
    page.get_by_label("我已阅读并同意以上隐私声明").check()
    page.get_by_role("button", name="同意并继续").click()

    page.get_by_role("link", name="绑定户号").click()
    page.get_by_label("户号").fill(customer.account_no)
    page.get_by_label("户主姓名").fill("周秀英")
    page.get_by_role("button", name="绑定").click()
    expect(page.get_by_text(customer.account_no).first).to_be_visible()
    _no_sideways_scroll(page)

    page.get_by_role("link", name="故障报修").click()
    page.get_by_label("情况说明").fill("家里突然停电，邻居家也没电。")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("已提交，我们会尽快处理。")).to_be_visible()
    expect(page.get_by_text("赵台区")).to_be_visible()
    _no_sideways_scroll(page)

    order = WorkOrder.objects.get(customer=customer)
    assert order.channel == "portal"
    if order.status == "accepted":
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=users["repair"].unit)
    order = s.workorder_take(order=order, actor=users["repair"])
    order = s.workorder_arrive(order=order, actor=users["repair"])
    order = s.workorder_resolve(order=order, actor=users["repair"], result="更换了进户线熔断器")
    s.workorder_reply(
        order=order, actor=users["repair"], reply_text="进户线熔断器已更换，已恢复供电，请您确认。"
    )

    page.reload()
    expect(page.get_by_text("进户线熔断器已更换，已恢复供电，请您确认。")).to_be_visible()
    _no_sideways_scroll(page)
    page.set_viewport_size({"width": 1400, "height": 900})  # and on a desktop
    page.reload()
    expect(page.get_by_text("进户线熔断器已更换，已恢复供电，请您确认。")).to_be_visible()
    _no_sideways_scroll(page)
    assert not seen, seen
