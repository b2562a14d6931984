"""A customer on a 390×844 phone, in Chromium under the server's Content-Security-Policy, starts a
低压居民新装 in the portal: sees every document it needs before applying, uploads a photo of their ID
card, submits, and reads the application's steps on its progress page. No page scrolls sideways; no
policy violation, no script error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from powerdesk.applications.models import Application, DocumentReceipt
from powerdesk.core import clock
from powerdesk.notify.models import Notification
from powerdesk.notify.services import SECRET_CONTEXT
from powerdesk.portal.models import AccountBinding, PortalAccount
from tests.e2e.conftest import shot
from tests.workorders.test_attachments import png_bytes

pytestmark = pytest.mark.e2e
VIOLATION = re.compile(r"Content Security Policy|Refused to (execute|load|apply|evaluate)", re.I)
PHONE = "13812345678"


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (page.url, width)


def test_a_customer_applies_for_a_residential_connection_on_a_phone(server, page, people):
    customer, _users = people
    page.set_viewport_size({"width": 390, "height": 844})
    seen: list[str] = []
    page.on("console", lambda message: VIOLATION.search(message.text) and seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(f"script error: {error}"))

    page.goto(f"{server}/portal/")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    code = Notification.objects.filter(template__code="portal_sign_in_code", recipient_address=PHONE).latest(
        "id"
    )
    page.get_by_label("短信验证码").fill(str(code.context[SECRET_CONTEXT]["code"]))
    page.get_by_role("button", name="登录").click()
    page.get_by_label("我已阅读并同意以上隐私声明").check()
    page.get_by_role("button", name="同意并继续").click()
    AccountBinding.objects.create(  # bound as test_portal_on_a_phone binds through the page
        account=PortalAccount.objects.get(phone=PHONE), customer=customer, method="name", bound_at=clock.now()
    )

    page.goto(f"{server}/portal/")
    page.get_by_role("link", name="办理业务（新装、过户、充电桩等）").click()
    expect(page.get_by_role("heading", name="低压居民新装")).to_be_visible()
    _no_sideways_scroll(page)
    page.get_by_role("link", name="申请低压居民新装").click()
    notice = page.locator("#notice-list")
    expect(notice.get_by_text("申请人有效身份证明")).to_be_visible()
    expect(notice.get_by_text("房屋产权证明或使用证明")).to_be_visible()
    _no_sideways_scroll(page)
    shot(page, "portal-apply-phone")
    page.get_by_label("申请人有效身份证明").set_input_files(
        {"name": "身份证.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.get_by_label("申请说明（可不填）").fill("新房入住，申请一户居民用电。")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="提交申请").click()

    expect(page.get_by_text("已提交，我们会尽快处理。")).to_be_visible()
    expect(page.get_by_role("heading", name="低压居民新装办理进度")).to_be_visible()
    expect(page.get_by_text("现场勘查")).to_be_visible()
    expect(page.get_by_text("装表接电")).to_be_visible()
    expect(page.get_by_text("正在办理")).to_be_visible()
    expect(page.locator("#missing-documents").get_by_text("房屋产权证明或使用证明")).to_be_visible()
    _no_sideways_scroll(page)
    shot(page, "portal-application-progress-phone")

    application = Application.objects.get(order__customer=customer)
    assert application.order.channel == "portal" and application.notice_channel == "portal"
    assert DocumentReceipt.objects.get(application=application).document.code == "id_card"
    page.set_viewport_size({"width": 1400, "height": 900})  # and on a desktop
    page.reload()
    expect(page.get_by_text("现场勘查")).to_be_visible()
    _no_sideways_scroll(page)
    assert not seen, seen
