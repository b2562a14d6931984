"""What the demo does after the calls, on one load shared by the module (``casework_demo``):

* the complaints: every complaint order has its record, those that followed a repair name it and its
  crew, one open complaint is judged 成立 with an open rectification and one is left 待补证;
* 以案普法: learning assignments with people confirmed and people overdue, one answering the judged
  complaint's rectification (which asked for learning);
* last month's monthly report of the county and of each station, so the report list is not empty after
  the first start, each frozen with the month's figures."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.analytics.reports_models import MonthlyReport
from powerdesk.complaints.models import ComplaintRecord, Judgment, Rectification
from powerdesk.core import clock
from powerdesk.knowledge.models import LearningAssignment, LearningRecipient
from powerdesk.org.models import Unit
from powerdesk.workorders.models import WorkOrder
from tests.demo.conftest import NOW

pytestmark = pytest.mark.django_db


def test_the_demo_has_complaint_records_a_judged_complaint_and_an_open_rectification(casework_demo):
    summary = casework_demo
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


def test_the_demo_has_learning_assignments_some_confirmed_some_overdue(casework_demo):
    assert casework_demo.learning == LearningAssignment.objects.count() == 3
    assert LearningRecipient.objects.filter(confirmed_at__isnull=False).exists()
    today = clock.local_date(NOW)
    overdue = LearningRecipient.objects.filter(confirmed_at__isnull=True, assignment__due_date__lt=today)
    assert overdue.exists()
    rectification = Rectification.objects.get(state="open")
    assert rectification.requires_learning and rectification.learning_assignments.count() == 1


def test_the_demo_issues_last_months_reports(casework_demo):
    county = Unit.objects.get(kind="county")
    stations = Unit.objects.filter(parent=county, kind="station")
    reports = MonthlyReport.objects.all()
    assert casework_demo.reports == reports.count() == 1 + stations.count()
    assert {r.unit_id for r in reports} == {county.pk, *stations.values_list("pk", flat=True)}
    assert {r.month for r in reports} == {dt.date(2026, 5, 1)}  # NOW is in June 2026
    county_report = reports.get(unit=county)
    assert county_report.figures["volume"]["orders"] > 0
    assert county_report.issued_at <= NOW
