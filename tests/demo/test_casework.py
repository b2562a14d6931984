"""What the demo does after the calls, on one load shared by the module (``casework_demo``, with the
compact history: one load of a few tens of seconds serves both):

* the complaints: every complaint order has its record, those that followed a repair name it and its
  crew, one open complaint is judged 成立 with an open rectification and one is left 待补证;
* 以案普法: learning assignments with people confirmed and people overdue, one answering the judged
  complaint's rectification (which asked for learning);
* last month's monthly report of the county and of each station, so the report list is not empty after
  the first start, each frozen with the month's figures;
* the compact history: 13 months of archived orders before the replayed days, in the dashboards'
  aggregates from the first start, their complaints judged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Max, Min, Sum

from powerdesk.analytics.models import DailyRollup, OrderFact
from powerdesk.analytics.reports_models import MonthlyReport
from powerdesk.complaints.models import ComplaintRecord, Judgment, Rectification
from powerdesk.complaints.services import JUDGED, checklist_of
from powerdesk.core import clock
from powerdesk.knowledge.models import LearningAssignment, LearningRecipient
from powerdesk.org.models import Unit
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
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
    # The replay's archived complaints (the history's copies, older, carry judgments of their own).
    replayed = Judgment.objects.filter(
        record__order__status="archived", record__order__created_at__gte=NOW - dt.timedelta(days=90)
    )
    assert summary.judged == replayed.count() > 0
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


def test_the_demo_has_thirteen_months_of_history_in_the_aggregates(casework_demo):
    summary = casework_demo
    assert summary.history > summary.orders - summary.history > 0
    span = WorkOrder.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    first = clock.local_date(span["first"])
    assert (clock.local_date(span["last"]) - first).days >= 365
    # Every order has its fact row and the rollups cover the whole span.
    assert OrderFact.objects.count() == WorkOrder.objects.count()
    assert DailyRollup.objects.filter(day__lte=first + dt.timedelta(days=31)).exists()
    # Numbers stay unique and dated by their acceptance day.
    numbers = list(WorkOrder.objects.values_list("number", "created_at"))
    assert len({n for n, _ in numbers}) == len(numbers)
    assert all(n.startswith(f"{clock.local_date(at):%y%m%d}") for n, at in numbers)


def test_the_demo_verdict_mix_covers_the_past_months(casework_demo):
    """Archived complaints carry their judgment (demo/verdicts.py), and the history's copies keep it: the
    verdict mix of months before the replayed days is not all zero."""
    judged = Judgment.objects.values("record__order_id").distinct().count()
    assert judged > 2
    # Every archived complaint of the replay (the history's copies have no source of their own) is judged.
    replayed = WorkOrder.objects.filter(
        business_type="complaint", status="archived", created_at__gte=NOW - dt.timedelta(days=90)
    )
    unjudged = [
        o
        for o in replayed.filter(complaint__judgments__isnull=True)
        if checklist_of(o, o.complaint) is not None
    ]
    assert replayed.exists() and unjudged == []
    facts = OrderFact.objects.exclude(verdict="")
    assert facts.count() == judged
    replay_start = clock.local_date(NOW) - dt.timedelta(days=90)
    old = DailyRollup.objects.filter(day__lt=replay_start).aggregate(
        valid=Sum("valid_complaints"), pending=Sum("pending_complaints")
    )
    assert (old["valid"] or 0) > 0
    # Every judgment wrote its timeline event, as the service does.
    assert WorkOrderEvent.objects.filter(kind=JUDGED).count() == Judgment.objects.count()
