"""Hot spots: the exact Poisson tail, the Benjamini–Hochberg correction, and a known spike injected into
synthetic rollups is found (and only it); the seeded groups count by sub-type and keyword."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from powerdesk.analytics import aggregates, hot_spots, rules
from powerdesk.analytics.dashboard import Filters
from powerdesk.analytics.measures import Scope
from powerdesk.analytics.models import DailyRollup, HotSpotGroup, HotSpotRule
from powerdesk.analytics.selectors import period_of
from powerdesk.workorders.models import SubType, Topic, WorkOrder
from tests.analytics.conftest import order_for

MARCH = period_of(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def test_poisson_upper_tail_is_exact():
    # P(X >= 3 | mu = 1) = 1 - e^-1 (1 + 1 + 1/2)
    assert rules.poisson_upper_tail(3, 1.0) == pytest.approx(1 - math.exp(-1) * 2.5, rel=1e-12)
    assert rules.poisson_upper_tail(0, 5.0) == 1.0
    assert rules.poisson_upper_tail(1, 2.0) == pytest.approx(1 - math.exp(-2), rel=1e-12)
    # Far in the tail: no cancellation to zero.
    tail = rules.poisson_upper_tail(60, 10.0)
    assert 0 < tail < 1e-20
    # A large mean does not underflow.
    assert rules.poisson_upper_tail(1000, 1000.0) == pytest.approx(0.5, abs=0.02)


def test_benjamini_hochberg():
    p = [0.01, 0.04, 0.03, 0.20]
    # Sorted: 0.01 (×4/1 = .04), 0.03 (×4/2 = .06), 0.04 (×4/3 = .0533 → min with later = .0533), .20 (×4/4)
    assert rules.benjamini_hochberg(p) == pytest.approx([0.04, 0.05333333, 0.05333333, 0.20])
    assert rules.benjamini_hochberg([]) == []


def _cell(day, unit, topic, n):
    return DailyRollup(
        day=day,
        unit_id=unit,
        business_type="repair",
        topic_id=topic,
        channel="95598",
        customer_type="urban_resident",
        orders=n,
        **{f: 0 for f in ZERO},
    )


ZERO = [m for m in DailyRollup.MEASURES if m != "orders"]


@pytest.mark.django_db
def test_an_injected_spike_is_the_one_hot_spot(county, users):
    """Twenty topic cells at a steady ~1 order a day for half a year; in March one of them runs at
    three a day. The spike is found with a tiny adjusted p; the steady cells are not."""
    random.seed(7)
    topics = list(Topic.objects.order_by("id").values_list("id", flat=True)[:20])
    spiked = topics[3]
    rows = []
    day = (MARCH.first - dt.timedelta(days=182)).replace(day=1)  # the baseline starts on a month's first
    while day <= MARCH.last:
        for topic in topics:
            rate = 3.0 if (topic == spiked and day >= MARCH.first) else 1.0
            n = sum(random.random() < rate / 4 for _ in range(4)) if rate < 2 else 3
            if n:
                rows.append(_cell(day, county.east.pk, topic, n))
        day += dt.timedelta(days=1)
    DailyRollup.objects.bulk_create(rows)
    aggregates.pool_and_roll_up({r.day for r in rows})
    spots = hot_spots.hot_spots(MARCH, Scope(users["manager"]), Filters())
    topic_spots = [s for s in spots if s.dimension == "topic_id"]
    assert [s.key for s in topic_spots] == [spiked]
    spot = topic_spots[0]
    assert spot.count == 93 and spot.ratio > 2.5 and spot.adjusted_p < 1e-6
    assert spot.adjusted_p >= spot.p
    # A stricter minimum count leaves no cell to test.
    strict = HotSpotRule(min_count=1000, baseline_days=182, alpha=0.05)
    assert hot_spots.hot_spots(MARCH, Scope(users["manager"]), Filters(), rule=strict) == []


@pytest.mark.django_db
def test_seeded_groups_by_sub_type_and_keyword(month, users, county, customer):
    codes = set(HotSpotGroup.objects.values_list("code", flat=True))
    assert codes >= {"pay_hard", "price_vague", "voltage_unstable", "notice_late"}
    voltage = SubType.objects.get(code="complaint_voltage")
    by_sub_type = order_for(
        users["agent"], customer, assignee=None, unit=county.east, business_type="complaint"
    )
    WorkOrder.objects.filter(pk=by_sub_type.pk).update(sub_type=voltage)
    by_keyword = order_for(users["agent"], customer, assignee=None, unit=county.east, business_type="opinion")
    WorkOrder.objects.filter(pk=by_keyword.pk).update(description="晚上电压低，空调启动不了")
    aggregates.rebuild()
    groups = {g.code: g for g in hot_spots.seeded_groups(MARCH, Scope(users["manager"]), Filters())}
    assert groups["voltage_unstable"].count == 2
    assert groups["pay_hard"].count == 0
    assert dict(groups["voltage_unstable"].months)["2026-03"] == 2
    assert len(groups["voltage_unstable"].months) == 13
