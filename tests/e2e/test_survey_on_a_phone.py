"""On a phone-sized Chromium, under the server's Content-Security-Policy: the survey link's page asks its
questions, takes the answer once and then says the link was used; a service hall's 意见簿 takes a note. No
policy violation and no script error on the way.

The data is made before the browser starts (``link`` before ``page``), as the other browser tests make
theirs: the browser steps make no query."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from powerdesk.core import clock
from powerdesk.feedback import services
from powerdesk.feedback.models import QuestionSet, SurveyInvitation
from powerdesk.org.models import ServiceHall
from powerdesk.workorders import services as s
from powerdesk.workorders.models import Topic
from tests.factories import AreaFactory, CustomerFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.e2e
VIOLATION = re.compile(r"Content Security Policy|Refused to (execute|load|apply|evaluate)", re.I)


@pytest.fixture
def link(transactional_db):
    county = UnitFactory(code="SVY", name="青溪县供电公司", kind="county")
    east = UnitFactory(code="SVY-E", name="东桥供电所", parent=county)
    area = AreaFactory(code="SVY-E-01", name="和平路1号台区", parent=east)
    customer = CustomerFactory(area=area, phone="13812345678", name="周秀英")
    agent = UserFactory.with_role("agent", county, username="svy-agent")
    order = s.workorder_intake(
        actor=agent,
        business_type="repair",
        topic=Topic.objects.get(code="fault_repair"),
        channel="95598",
        description="楼道停电",
        customer=customer,
        caller_phone="13812345678",
    ).order
    now = clock.now()
    invitation = SurveyInvitation.objects.create(
        order=order,
        questions=QuestionSet.objects.get(code="outage"),
        phone="13812345678",
        nonce="e" * 32,
        created_at=now,
        expires_at=now + dt.timedelta(days=1),
    )
    hall = ServiceHall.objects.create(unit=east, name="东桥营业厅", address="人民路8号", opening_hours="8:30")
    path = "/p/s/" + services.survey_url(invitation).rsplit("/s/", 1)[1]
    return path, hall.pk


def test_a_customer_answers_the_survey_once_and_leaves_a_note_on_a_phone(server, link, page):
    path, hall = link
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    seen: list[str] = []
    page.on("console", lambda message: VIOLATION.search(message.text) and seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(f"script error: {error}"))
    page.goto(server + path)
    expect(page.get_by_text("我们告知您的复电时间准确吗？")).to_be_visible()
    page.locator('input[name="score"][value="4"]').check()
    page.locator('input[name="resolved"][value="yes"]').check()
    page.locator('input[name="restoration_right"][value="no"]').check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("感谢您的评价")).to_be_visible()
    page.goto(server + path)
    expect(page.get_by_text("只能使用一次")).to_be_visible()
    page.goto(f"{server}/p/hall/{hall}/")
    page.locator('textarea[name="text"]').fill("取号机的声音太小，听不清叫号。")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("感谢您的留言")).to_be_visible()
    assert not seen, seen
