"""What the applications app will plug in: a start action on the home page and a section on the order's
page; and the demo's instructions."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from powerdesk.portal.extensions import StartAction, order_sections, start_actions
from powerdesk.portal.models import ReportKind
from powerdesk.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    start_actions.register("tests", "tests.apply", StartAction("申请办电", "portal:bind"))
    order_sections.register(
        "tests",
        "tests.steps",
        lambda order: (
            {"template": "portal/_section.html", "context": {"title": "办理步骤", "lines": ["受理"]}}
            if order.business_type == "repair"
            else None
        ),
    )
    yield
    start_actions._entries.pop("tests.apply")
    order_sections._entries.pop("tests.steps")


def test_an_app_adds_a_start_action_and_an_order_section(registered, portal, customer):
    assert "申请办电" in portal.get(reverse("portal:home")).content.decode()
    portal.post(
        reverse("portal:report"),
        {
            "customer": customer.account_no,
            "kind": ReportKind.objects.get(code="fault").pk,
            "description": "停电",
            "submission": str(uuid.uuid4()),
        },
    )
    page = portal.get(reverse("portal:order", args=[WorkOrder.objects.get().number])).content.decode()
    assert "办理步骤" in page


def test_the_demo_command_names_a_customer_to_bind_and_the_outbox(customer):
    out = StringIO()
    call_command("portal_demo", stdout=out)
    text = out.getvalue()
    assert customer.account_no in text and customer.name in text and "notifications.jsonl" in text
