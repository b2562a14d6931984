"""The demo county's compact history: 13 months of archived orders before the replayed days, in the
dashboards' aggregates from the first start, with a seasonal hot spot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Max, Min

from powerdesk.analytics.models import DailyRollup, OrderFact
from powerdesk.core import clock
from powerdesk.workorders.models import WorkOrder
from tests.demo.conftest import load_small

pytestmark = pytest.mark.django_db


def test_the_demo_has_thirteen_months_of_history_in_the_aggregates():
    summary = load_small(seed=3, orders=120, history_months=13)
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
