"""In a real browser: the agent types the caller's words, the suggestion appears (its own request, no
inline script), one click fills business type, topic and sub-type, and the order records it accepted."""

from __future__ import annotations

import re

import pytest

from powerdesk.core import clock
from powerdesk.triage.models import ModelVersion, TriageRecord
from powerdesk.workorders.models import WorkOrder
from tests.e2e.conftest import shot
from tests.e2e.test_order_lifecycle import login
from tests.triage.conftest import shared_small_model

pytestmark = pytest.mark.e2e


def test_the_agent_takes_the_suggestion_in_one_click(server, page, people, tmp_path_factory):
    customer, _users = people
    ModelVersion.objects.create(
        created_at=clock.now(),
        data_hash="e2e",
        artefact=shared_small_model(tmp_path_factory).dumps(),  # the triage tests' small model
        score=0.5,
        is_active=True,
    )
    login(page, server, "agent")
    page.goto(f"{server}/orders/new/?customer={customer.account_no}")
    page.fill("#id_description", "你好，路边的电线断了掉在地上，还在冒火花")
    accept = page.locator("[data-triage-accept]")
    accept.wait_for(timeout=15_000)
    assert "紧急" in page.locator("#triage-suggestion").inner_text()
    accept.click()
    assert page.locator("#id_business_type").input_value() == "repair"
    assert page.locator("#id_topic").input_value() == "fault_repair"
    shot(page, "triage-suggestion-accepted")
    with page.expect_navigation(wait_until="load"):
        page.click("#intake-form button[type=submit]")
    order = WorkOrder.objects.order_by("-pk").first()
    assert order is not None and order.business_type == "repair"
    record = TriageRecord.objects.get(order=order)
    assert record.accepted is True
    assert re.match(r"^/orders/", page.url.replace(server, ""))
