"""In a real browser: the manager sees a customer's phone masked, clicks 显示, gives a reason and sees it
in full (htmx, no inline script: the page runs under the console's script policy); the reveal is audited."""

from __future__ import annotations

import pytest

from powerdesk.audit.models import AuditEntry
from tests.e2e.conftest import give_password, shot
from tests.e2e.test_order_lifecycle import login
from tests.factories import AreaFactory, CustomerFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def manager_and_customer(transactional_db):
    county = UnitFactory(code="E2R", name="青溪县供电公司", kind="county")
    east = UnitFactory(code="E2R-E", name="东桥供电所", parent=county)
    area = AreaFactory(code="E2R-E-01", name="和平路1号台区", parent=east)
    customer = CustomerFactory(
        area=area, phone="13812345678", name="周秀英", address="青溪县东桥镇和平路18号"
    )
    manager = UserFactory.with_role("manager", county, username="manager", full_name="管理员工")
    give_password(manager)
    return manager, customer


def test_the_manager_reveals_a_phone_with_a_reason(server, page, manager_and_customer):
    manager, customer = manager_and_customer
    login(page, server, "manager")
    page.goto(f"{server}/customers/id/{customer.pk}/")
    phones = page.locator("dd.pd", has_text="138****5678")
    assert "13812345678" not in page.content()
    phones.locator("a.reveal").click()
    # htmx swaps the reason form into the field, on the same page (no navigation to the form's page).
    form = page.locator("dd.pd form.reveal-form")
    form.locator("[name=reason]").fill("客户来电核实身份")
    form.locator("button[type=submit]").click()
    page.locator("dd.pd .revealed", has_text="13812345678").wait_for()
    assert page.url == f"{server}/customers/id/{customer.pk}/"
    shot(page, "reveal")
    entry = AuditEntry.objects.get(kind="reveal")
    assert entry.actor_id == manager.pk and entry.subject == customer.account_no
    assert entry.reason == "客户来电核实身份"
