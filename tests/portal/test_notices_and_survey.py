"""Outage notices for the customer's supply (now, with the ETR; planned, with the window) and the survey
link of a closed order."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from powerdesk.core import clock
from powerdesk.feedback.models import QuestionSet, SurveyInvitation
from powerdesk.outages import services as outages
from powerdesk.portal.models import AccountBinding, PortalAccount, ReportKind
from powerdesk.workorders.models import WorkOrder
from tests.outages.conftest import net  # noqa: F401  (the small network fixture)
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_portal(net) -> Client:  # noqa: F811
    client = sign_in(Client(), "13800000001")
    AccountBinding.objects.create(
        account=PortalAccount.objects.get(phone="13800000001"),
        customer=net.customers["home"],
        method="name",
        bound_at=clock.now(),
    )
    return client


def test_the_home_page_shows_the_outage_now_and_the_planned_one(home_portal, net, users):  # noqa: F811
    now = clock.now()
    outages.outage_create(
        actor=users["dispatcher"], kind="fault", title="梧桐巷熔断器跳闸", devices=[net["FU"]]
    )
    outages.outage_create(
        actor=users["dispatcher"],
        kind="planned",
        title="银杏线路检修",
        devices=[net["SW"]],
        planned_start=now + dt.timedelta(days=10),
        planned_end=now + dt.timedelta(days=10, hours=6),
    )
    page = home_portal.get(reverse("portal:home")).content.decode()
    assert "正在停电" in page and "梧桐巷熔断器跳闸" in page and "恢复送电" in page
    assert "计划停电" in page and "银杏线路检修" in page


def test_no_notice_of_another_supply(home_portal, net, users):  # noqa: F811
    outages.outage_create(
        actor=users["dispatcher"], kind="fault", title="银杏街变压器故障", devices=[net["T2"]]
    )
    assert "银杏街变压器故障" not in home_portal.get(reverse("portal:home")).content.decode()


def test_a_closed_order_links_its_survey(portal, customer):
    portal.post(
        reverse("portal:report"),
        {
            "customer": customer.account_no,
            "kind": ReportKind.objects.get(code="question").pk,
            "description": "峰谷电价怎么申请",
            "submission": str(uuid.uuid4()),
        },
    )
    order = WorkOrder.objects.get()
    portal.post(reverse("portal:cancel", args=[order.number]))
    now = clock.now()
    SurveyInvitation.objects.create(
        order=order,
        questions=QuestionSet.objects.get(code="outage"),
        phone="13812345678",
        nonce="p" * 32,
        created_at=now,
        expires_at=now + dt.timedelta(days=1),
    )
    page = portal.get(reverse("portal:order", args=[order.number])).content.decode()
    assert "评价本次服务" in page and "/p/s/" in page
