"""The demo county's compact history: 13 months of archived orders before the replayed days, in the
dashboards' aggregates from the first start, with a seasonal hot spot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db.models import Max, Min, Sum

from powerdesk.analytics.models import DailyRollup, OrderFact
from powerdesk.complaints.models import Judgment
from powerdesk.complaints.services import JUDGED, checklist_of
from powerdesk.core import clock
from powerdesk.demo.loader import DemoSummary
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from tests.demo.conftest import NOW, loaded_for_the_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def history_demo(django_db_setup, django_db_blocker) -> Iterator[DemoSummary]:
    with loaded_for_the_module(django_db_blocker, seed=3, orders=160, history_months=13) as summary:
        yield summary


def test_the_demo_has_thirteen_months_of_history_in_the_aggregates(history_demo):
    summary = history_demo
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


def test_the_demo_verdict_mix_covers_the_past_months(history_demo):
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
