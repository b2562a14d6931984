"""A judged complaint shows in the dashboards' verdict mix after the upkeep — also when it is judged
long after the order's last other event (the judgment's own timeline event moves the watermark)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from powerdesk.analytics import aggregates, dashboard
from powerdesk.analytics.dashboard import Filters
from powerdesk.analytics.measures import Scope
from powerdesk.analytics.models import OrderFact
from powerdesk.analytics.selectors import period_of
from powerdesk.complaints import rules, services
from powerdesk.complaints.models import ComplaintRecord
from powerdesk.core import clock
from tests.analytics.conftest import NOW
from tests.complaints.conftest import make_complaint  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

MARCH = period_of(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def mix(user) -> dict[str, int]:
    cells = dashboard.dashboard_figures(MARCH, Scope(user, None), Filters()).breakdowns["verdict"]
    return {c.key: c.value for c in cells}


def test_a_later_judgment_reaches_the_verdict_mix(frozen, make_complaint, users):  # noqa: F811
    manager = users["manager"]
    order = make_complaint()
    aggregates.rebuild()
    assert mix(manager) == {"valid": 0, "invalid": 0, "pending": 0}
    # Judged two weeks later (still accepted in March): no other event since the upkeep's last run.
    with time_machine.travel(NOW + dt.timedelta(days=14), tick=False):
        checklist = services.checklist_of(order, ComplaintRecord.objects.get(order=order))
        assert checklist is not None
        answers = {c.code: rules.YES for c in checklist.criteria.all()}
        services.complaint_judge(order=order, actor=users["handler"], answers=answers)
        assert aggregates.refresh() == 1
    assert OrderFact.objects.get(order=order).verdict == rules.VALID
    assert mix(manager) == {"valid": 1, "invalid": 0, "pending": 0}
    # A rebuild from scratch agrees with the upkeep.
    aggregates.rebuild()
    assert mix(manager) == {"valid": 1, "invalid": 0, "pending": 0}
    assert clock.local_date(order.created_at).month == 3
