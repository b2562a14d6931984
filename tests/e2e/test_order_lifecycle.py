"""In a real browser: an agent takes a repair call and the order is worked through to the archive."""

from __future__ import annotations

import re

import pytest

from powerdesk.workorders.models import WorkOrder
from tests.e2e.conftest import PASSWORD, shot

pytestmark = pytest.mark.e2e


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*login).*$"))


def act(page, code, **fields):
    """Open the action's panel on the order page, fill its form and submit it."""
    form = page.locator(f"details.action form[action$='/do/{code}/']")
    form.locator("xpath=..").locator("summary").click()
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if value is True:
            field.check()
        elif field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value) if not value.isascii() else field.select_option(value=value)
        else:
            field.fill(value)
    # On success the server answers htmx with HX-Redirect and the browser loads the order page again.
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").click()


def status_text(page) -> str:
    return page.locator(".badge").first.inner_text()


def test_an_agent_takes_a_call_and_the_order_is_worked_to_the_archive(server, page, people):
    customer, _users = people

    login(page, server, "agent")
    page.goto(f"{server}/customers/?q=13812345678")
    page.click(f"text={customer.account_no}")
    page.wait_for_url(re.compile(rf"/customers/{customer.account_no}/"))
    assert "赵台区" in page.content()  # the 台区经理 is on the customer page
    page.click("text=受理新工单")
    page.select_option("[name=business_type]", value="repair")
    page.select_option("[name=topic]", label="故障抢修")
    page.fill("[name=description]", "整栋楼突然停电，楼道灯也不亮")
    page.click("button:has-text('提交受理')")
    page.wait_for_url(re.compile(r"/orders/\d{14}/"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert "已受理" in status_text(page)

    login(page, server, "dispatcher")
    page.goto(f"{server}/orders/{number}/")
    act(page, "dispatch", unit="东桥供电所")
    assert "已派单" in status_text(page)

    login(page, server, "repair")
    page.goto(f"{server}/orders/{number}/")
    act(page, "take")
    act(page, "arrive")
    act(page, "resolve", result="更换进户线熔断器，已恢复送电")
    act(page, "reply", reply_text="已恢复送电，并提醒客户检查家中空开")
    assert "已回单" in status_text(page)
    shot(page, "order-replied")

    login(page, server, "callback")
    page.goto(f"{server}/orders/{number}/")
    act(page, "callback", satisfaction="satisfied", resolved=True)
    act(page, "archive")
    assert "已归档" in status_text(page)
    shot(page, "order-archived")

    order = WorkOrder.objects.get(number=number)
    assert order.status == "archived" and order.satisfaction == "satisfied" and order.callback_resolved
    assert list(order.events.order_by("id").values_list("kind", flat=True)) == [
        "created",
        "dispatch",
        "take",
        "arrive",
        "resolve",
        "reply",
        "callback",
        "archive",
    ]
