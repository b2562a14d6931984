"""The demo's complaints: every complaint order has its record, those that followed a repair name it and
its crew, one open complaint is judged 成立 with an open rectification and one is left 待补证."""

from __future__ import annotations

import pytest

from powerdesk.complaints.models import ComplaintRecord, Judgment, Rectification
from powerdesk.workorders.models import WorkOrder
from tests.demo.conftest import load_small

pytestmark = pytest.mark.django_db


def test_the_demo_has_complaint_records_a_judged_complaint_and_an_open_rectification():
    summary = load_small(seed=11, orders=160)
    complaints = WorkOrder.objects.filter(business_type="complaint")
    assert complaints.exists()
    assert ComplaintRecord.objects.count() >= complaints.count()
    assert not WorkOrder.objects.filter(facts__has_key="verdict_hint").exists()
    assert summary.complaints >= 1
    named = ComplaintRecord.objects.filter(related_orders__business_type="repair", staff__isnull=False)
    assert named.count() == summary.complaints
    # The open complaints: one 成立, and one 待补证 when a second open complaint has a checklist. The
    # archived ones carry the judgment made before their archive (demo/verdicts.py).
    open_judged = Judgment.objects.exclude(record__order__status="archived")
    assert open_judged.filter(verdict="valid").count() == 1
    assert open_judged.filter(verdict="pending").count() <= 1
    assert summary.judged == Judgment.objects.filter(record__order__status="archived").count() > 0
    assert Rectification.objects.filter(state="open").count() == 1
