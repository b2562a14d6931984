"""In a real browser: the manager opens the dashboard, the vendored ECharts draws the charts from the
page's data block under the console's script policy (no violation, no script error), the table behind a
chart opens, and a number leads to the order list with the same filter."""

from __future__ import annotations

import re

import pytest

from powerdesk.analytics import aggregates
from powerdesk.core import clock
from tests.e2e.conftest import give_password, shot
from tests.e2e.test_order_lifecycle import login
from tests.factories import AreaFactory, CustomerFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.e2e

VIOLATION = re.compile(r"Content Security Policy|Refused to (execute|load|apply|evaluate)", re.I)


@pytest.fixture
def desk(transactional_db):
    from powerdesk.workorders import services as s
    from powerdesk.workorders.models import SubType, Topic

    county = UnitFactory(code="E2A", name="青溪县供电公司", kind="county")
    east = UnitFactory(code="E2A-E", name="东桥供电所", parent=county)
    area = AreaFactory(code="E2A-E-01", name="和平路1号台区", parent=east)
    manager = UserFactory.with_role("manager", county, username="manager", full_name="管理员工")
    give_password(manager)
    for i in range(3):
        customer = CustomerFactory(area=area, phone=f"1381234560{i}", name=f"客户{i}", address=f"和平路{i}号")
        s.workorder_intake(
            actor=manager,
            business_type="repair",
            sub_type=SubType.objects.get(code="repair_lv"),
            topic=Topic.objects.get(code="fault_repair"),
            channel="95598",
            description="家里没电了",
            customer=customer,
        )
    aggregates.rebuild()
    return clock.local_date()


def test_the_dashboard_draws_its_charts_and_links_to_the_orders(server, page, desk):
    seen: list[str] = []
    page.on("console", lambda message: VIOLATION.search(message.text) and seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(f"script error: {error}"))
    login(page, server, "manager")
    page.goto(f"{server}/analytics/")
    # ECharts renders into a canvas inside each chart's box.
    page.locator("#chart-business_type canvas").first.wait_for()
    assert page.locator(".chart canvas").count() >= 5
    section = page.locator("#breakdown-business_type")
    section.locator("summary").click()
    cell = section.locator("table a", has_text="3")
    cell.wait_for()
    shot(page, "analytics-dashboard")
    cell.click()
    page.wait_for_url(re.compile(r"/orders/\?.*business_type=repair"))
    assert "共 3 张工单" in page.content()
    assert not seen, seen
