"""Every console page in English shows the reference data the migrations seed (topics, sub-types, roles,
time-limit policies, suspend reasons) by its English name: no seeded Chinese label is left on the page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from powerdesk.org.models import Role
from powerdesk.sla.models import SlaPolicy, SuspendReason
from powerdesk.sla.sweep import sweep
from powerdesk.workorders import services as s
from powerdesk.workorders.models import SubType, Topic
from tests.factories import topic
from tests.sla.helpers import T0

pytestmark = pytest.mark.django_db


def seeded_labels() -> set[str]:
    labels: set[str] = set()
    for model in (Topic, SubType, Role, SlaPolicy, SuspendReason):
        labels |= set(model.objects.values_list("name", flat=True))
    return labels


@pytest.fixture
def orders(users, county, customer, heads):
    """Orders of several types and sub-types, one suspended for a reason, one past its deadline (the
    sweep's events on its timeline)."""
    made = []
    with time_machine.travel(T0, tick=False):
        for business_type, sub_type, code in [
            ("repair", "repair_lv", "fault_repair"),
            ("complaint", "complaint_service", "communication"),
            ("service_request", "sr_meter", "metering"),
            ("application", "app_new_lv", "business_env"),
        ]:
            made.append(
                s.workorder_intake(
                    actor=users["agent"],
                    business_type=business_type,
                    sub_type=SubType.objects.get(code=sub_type),
                    topic=topic(code),
                    channel="95598",
                    description="测试页面",
                    customer=customer,
                ).order
            )
        repair = s.workorder_dispatch(
            order=made[0], actor=users["dispatcher"], unit=county.east, assignee=users["repair"]
        )
        s.workorder_dispatch(order=made[1], actor=users["dispatcher"], unit=county.east)
        s.workorder_suspend(
            order=made[1], actor=users["dispatcher"], reason="客户出差", reason_code="customer_postpone"
        )
    sweep(now=T0 + dt.timedelta(hours=2))
    return [repair, *made[1:]]


def pages(orders, customer) -> list[str]:
    return [
        reverse("home"),
        reverse("workorders:list") + "?queue=all",
        reverse("workorders:list") + "?queue=all&sort=due&breached=on",
        *(reverse("workorders:detail", args=[o.number]) for o in orders),
        reverse("workorders:new") + f"?customer={customer.account_no}",
        reverse("customers:search") + "?q=" + customer.account_no,
        reverse("customers:detail", args=[customer.account_no]),
        reverse("sla:at_risk"),
        reverse("sla:dashboard"),
    ]


def test_every_console_page_in_english_names_the_seeded_rows_in_english(client, users, customer, orders):
    labels = seeded_labels()
    # The case library's titles and the scripts are what authors wrote (in Chinese only), not reference
    # data named in the reader's language: the order page's relevant cases and scripts, and the intake
    # form's scripts, are left out of the check.
    from powerdesk.knowledge.models import CaseVersion, ScriptVersion

    authored = sorted(
        [
            *CaseVersion.objects.values_list("title", flat=True),
            *ScriptVersion.objects.values_list("title", flat=True),
        ],
        key=len,
        reverse=True,
    )
    script_lists = re.compile(r'<ul class="plain script-list">.*?</ul>', re.DOTALL)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        for user in (users["manager"], users["dispatcher"], users["agent"]):
            client.force_login(user)
            for url in pages(orders, customer):
                response = client.get(url)
                assert response.status_code == 200, url
                body = script_lists.sub("", response.content.decode())
                for title in authored:
                    body = body.replace(title, "")
                assert 'lang="en"' in body, url
                left = sorted(label for label in labels if label in body)
                assert not left, (user.username, url, left)


def test_the_same_pages_in_chinese_show_the_names_as_seeded(client, users, customer, orders):
    client.force_login(users["manager"])
    body = client.get(reverse("workorders:detail", args=[orders[0].number])).content.decode()
    assert "低压故障" in body and "抢修到达现场（城区）" in body
