"""In a real browser: a handler opens a complaint, fills in what it is about, opens the judgment
checklist (pre-filled where the system knows), answers that no attitude problem was found, and the
complaint is downgraded to an opinion with the reason; the order page shows the verdict and the
original classification."""

from __future__ import annotations

import pytest

from powerdesk.complaints.models import ComplaintRecord
from powerdesk.workorders import services as s
from powerdesk.workorders.models import SubType, WorkOrder
from tests.e2e.conftest import give_password, shot
from tests.e2e.test_order_lifecycle import login
from tests.factories import AreaFactory, CustomerFactory, UnitFactory, UserFactory, topic

pytestmark = pytest.mark.e2e


@pytest.fixture
def complaint(transactional_db):
    county = UnitFactory(code="E2C", name="青溪县供电公司", kind="county")
    east = UnitFactory(code="E2C-E", name="东桥供电所", parent=county)
    area = AreaFactory(code="E2C-E-01", name="和平路1号台区", parent=east)
    customer = CustomerFactory(area=area, phone="13812345678", name="周秀英")
    agent = UserFactory.with_role("agent", county, username="agent")
    dispatcher = UserFactory.with_role("dispatcher", county, username="dispatcher")
    handler = UserFactory.with_role("handler", east, username="handler", full_name="处理员工")
    give_password(handler)
    order = s.workorder_intake(
        actor=agent,
        business_type="complaint",
        sub_type=SubType.objects.get(code="complaint_attitude"),
        topic=topic("communication"),
        channel="95598",
        description="抢修人员说话难听",
        customer=customer,
        caller_phone="13812345678",
    ).order
    return s.workorder_dispatch(order=order, actor=dispatcher, unit=east)


def test_a_handler_judges_a_complaint_invalid_and_it_becomes_an_opinion(server, page, complaint):
    login(page, server, "handler")
    page.goto(f"{server}/orders/{complaint.number}/")
    page.get_by_role("link", name="编辑投诉信息").click()
    page.fill("#id_staff_name", "外包抢修三队")
    page.check("#id_outsourced")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{server}/orders/{complaint.number}/")
    page.get_by_role("link", name="投诉判定").last.click()
    assert page.is_checked("input[name=c_our_staff][value=yes]")  # the named outsourced crew
    page.check("input[name=c_attitude][value=no]")
    page.check("input[name=c_within_period][value=yes]")
    page.check("input[name=c_company_side][value=yes]")
    page.select_option("#id_downgrade_to", "opinion")
    page.fill("#id_note", "调取录音未发现不文明用语")
    shot(page, "complaint-judgment")
    page.get_by_role("button", name="提交判定").click()
    page.wait_for_url(f"{server}/orders/{complaint.number}/")
    page.get_by_text("判定结果：不成立").first.wait_for()
    order = WorkOrder.objects.get(pk=complaint.pk)
    assert order.business_type == "opinion"
    record = ComplaintRecord.objects.get(order=order)
    assert record.verdict == "invalid" and record.original_sub_type.code == "complaint_attitude"
    assert "服务态度" in page.content()  # the original classification stays visible
    shot(page, "complaint-downgraded")
