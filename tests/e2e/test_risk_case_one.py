"""The case book's first case, replayed in a real browser: a repair call at 19:15 about a meter box on
fire; at 20:44 the customer calls again, demands power tonight and objects to the crew's words. That
order is at the top of its unit's at-risk list from the moment of the second call, before anyone files a
complaint.

The server keeps real time, so the case is replayed relative to now: the first call is written
89 minutes ago (19:15 → 20:44), the second call is the agent's, made now in the browser.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from powerdesk.core import clock
from powerdesk.notify.models import Notification
from powerdesk.org.models import Unit, UnitHead
from powerdesk.risk.models import OrderRisk
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import BusinessType, Channel
from powerdesk.workorders.models import WorkOrder
from tests.e2e.conftest import PASSWORD
from tests.factories import CustomerFactory, UserFactory, topic

pytestmark = pytest.mark.e2e

FIRST_CALL = "表箱冒烟起火，已自行拉闸，家里全部停电，请派人抢修"
SECOND_CALL = "第二次打来了！今晚必须来电，家里有老人。刚才来的抢修人员态度恶劣，说话难听，说修不好别找他们"


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*login).*$"))


def call(users, customer, description, *, at):
    with clock.at(at):
        return s.workorder_intake(
            actor=users["agent"],
            business_type=BusinessType.REPAIR,
            topic=topic("fault_repair"),
            channel=Channel.HOTLINE,
            description=description,
            customer=customer,
            caller_phone=customer.primary_phone,
        ).order


def top_of_list(page, base, unit) -> list[str]:
    page.goto(f"{base}/risk/?unit={unit.pk}")
    return page.locator("tr.risk-row").evaluate_all("rows => rows.map(r => r.dataset.order)")


def test_the_second_call_puts_the_order_at_the_top_of_its_units_list(server, page, people):
    customer, users = people
    east = Unit.objects.get(code="E2E-E")
    head = UserFactory.with_role("manager", east, username="east_head", phone="13700000001")
    UnitHead.objects.create(unit=east, user=head)
    now = clock.now()
    first_call = now - dt.timedelta(minutes=89)  # 19:15, the second call being 20:44

    # Another order of the station, already at risk before the evening: chased twice.
    neighbour = CustomerFactory(area=customer.area, phone="13812340000", name="吴建国")
    other = call(users, neighbour, "楼道灯不亮，电压忽高忽低", at=now - dt.timedelta(hours=3))
    with clock.at(now - dt.timedelta(hours=3)):
        other = s.workorder_dispatch(order=other, actor=users["dispatcher"], unit=east)
    for minutes in (120, 60):
        with clock.at(now - dt.timedelta(minutes=minutes)):
            other = s.workorder_chase(order=other, actor=users["agent"], note="客户催问")

    order = call(users, customer, FIRST_CALL, at=first_call)
    with clock.at(first_call + dt.timedelta(minutes=3)):
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=east)

    login(page, server, "dispatcher")
    before = top_of_list(page, server, east)
    assert before[0] == other.number and order.number not in before

    # 20:44: the agent takes the second call from the customer page's intake form.
    login(page, server, "agent")
    page.goto(f"{server}/orders/new/?customer={customer.account_no}")
    page.select_option("[name=business_type]", value="repair")
    page.select_option("[name=topic]", label="故障抢修")
    page.fill("[name=description]", SECOND_CALL)
    page.click("button:has-text('提交受理')")
    page.wait_for_url(re.compile(rf"/orders/{order.number}/"))  # counted on the open order
    assert "投诉风险" in page.locator("#order-risk").inner_text()

    login(page, server, "dispatcher")
    after = top_of_list(page, server, east)
    assert after[0] == order.number and other.number in after
    reasons = page.locator(f"tr.risk-row[data-order='{order.number}']").inner_text()
    assert "重复来电" in reasons and "激烈言辞" in reasons and "今晚必须" in reasons

    risk = OrderRisk.objects.get(order__number=order.number)
    assert {r["code"] for r in risk.reasons} >= {"repeat_call", "angry_wording"}
    assert risk.score > OrderRisk.objects.get(order=other).score
    assert Notification.objects.filter(order__number=order.number, recipient_user=head).count() == 1
    # … and no complaint was filed yet: the warning came first.
    assert not WorkOrder.objects.filter(customer=customer, business_type=BusinessType.COMPLAINT).exists()
