"""The pure functions of reliability/rules.py: the MED threshold over its ranges, the cut-offs, the 10 kV
user's span, the months of a period."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given
from hypothesis import strategies as st

from powerdesk.core import clock
from powerdesk.reliability import rules

saidi = st.floats(min_value=0.01, max_value=10_000, allow_nan=False, allow_infinity=False)
multiplier = st.floats(min_value=0, max_value=5, allow_nan=False, allow_infinity=False)


@given(st.lists(saidi, min_size=2, max_size=60), multiplier)
def test_the_threshold_is_at_least_the_geometric_mean(values, k):
    med = rules.med_threshold(values, k)
    geometric = math.exp(sum(math.log(v) for v in values) / len(values))
    assert med.value is not None
    assert med.value >= geometric * (1 - 1e-9)
    assert med.days == len(values)


@given(st.lists(saidi, min_size=2, max_size=60), multiplier, st.integers(min_value=0, max_value=20))
def test_days_without_interruption_are_left_out_of_the_fit(values, k, zeros):
    assert rules.med_threshold(values + [0.0] * zeros, k) == rules.med_threshold(values, k)


@given(st.lists(saidi, min_size=2, max_size=30), multiplier, st.floats(min_value=0.1, max_value=100))
def test_the_threshold_scales_with_the_daily_saidi(values, k, factor):
    first = rules.med_threshold(values, k).value
    scaled = rules.med_threshold([v * factor for v in values], k).value
    assert first is not None and scaled is not None
    assert math.isclose(scaled, first * factor, rel_tol=1e-6)


@given(saidi, st.integers(min_value=2, max_value=30), multiplier)
def test_identical_days_give_their_own_value(value, n, k):
    med = rules.med_threshold([value] * n, k)
    assert med.value is not None and math.isclose(med.value, value, rel_tol=1e-9)


@given(st.lists(saidi, max_size=1), multiplier)
def test_fewer_than_two_days_give_no_threshold_and_no_major_event_day(values, k):
    med = rules.med_threshold(values, k)
    assert med.value is None
    assert rules.major_event_days({dt.date(2026, 6, 1): 1e9}, med.value) == []


def test_a_day_is_a_major_event_day_only_above_the_threshold():
    days = {dt.date(2026, 6, 1): 10.0, dt.date(2026, 6, 2): 10.000001, dt.date(2026, 6, 3): 9.0}
    assert rules.major_event_days(days, 10.0) == [dt.date(2026, 6, 2)]


def _item(kind: str, minutes: float, cause: str = "", users: int = 1) -> rules.Interruption:
    start = dt.datetime(2026, 6, 1, 10, tzinfo=clock.BUSINESS_TZ)
    return rules.Interruption(
        1, kind, cause, start.date(), start, start + dt.timedelta(minutes=minutes), users
    )


def test_the_cut_offs_exclude_an_interruption_of_exactly_their_length():
    assert not rules.counts_dlt836(_item("fault", 3), 180)
    assert rules.counts_dlt836(_item("fault", 3.01), 180)
    assert not rules.counts_ieee1366(_item("fault", 5), 300)
    assert rules.counts_ieee1366(_item("fault", 5.01), 300)


def test_planned_counts_in_dlt836_not_in_ieee1366_and_arrears_in_neither():
    for kind in ("planned", "temporary"):
        assert rules.counts_dlt836(_item(kind, 60), 180)
        assert not rules.counts_ieee1366(_item(kind, 60), 300)
    assert not rules.counts_dlt836(_item("arrears", 60), 180)
    assert not rules.counts_ieee1366(_item("arrears", 60), 300)


def test_rs3_leaves_out_rationing_for_lack_of_generation_but_not_grid_limits():
    items = [_item("rationing", 60, "supply_shortage", 2), _item("rationing", 60, "grid_limit", 3)]
    figures = rules.dlt836(items, users=10, period_hours=24, cutoff_seconds=180, user_unit=rules.LV)
    assert figures.user_hours == 5 and figures.user_hours_rs3 == 3


def test_no_users_give_no_figures_rather_than_a_division_by_zero():
    dlt = rules.dlt836([], users=0, period_hours=24, cutoff_seconds=180, user_unit=rules.LV)
    ieee = rules.ieee1366([], customers=0, period_hours=24, cutoff_seconds=300)
    assert (dlt.aihc1, dlt.rs1, dlt.aitc1) == (None, None, None)
    assert (ieee.saidi, ieee.saifi, ieee.caidi, ieee.asai) == (None, None, None, None)


def test_no_interruption_gives_full_reliability_and_no_caidi():
    ieee = rules.ieee1366([], customers=5, period_hours=24, cutoff_seconds=300)
    assert (ieee.saidi, ieee.saifi, ieee.caidi, ieee.asai) == (0, 0, None, 100)


def test_a_10kv_user_is_out_from_its_first_customer_out_to_its_last_back():
    day = dt.date(2026, 6, 1)
    t = dt.datetime(2026, 6, 1, 10, tzinfo=clock.BUSINESS_TZ)
    rows = [
        rules.UserInterruption(1, ("transformer", 7), "fault", "", day, t, t + dt.timedelta(hours=2)),
        rules.UserInterruption(
            1, ("transformer", 7), "fault", "", day, t + dt.timedelta(minutes=5), t + dt.timedelta(hours=3)
        ),
        rules.UserInterruption(2, ("transformer", 7), "fault", "", day, t, t + dt.timedelta(hours=1)),
    ]
    spans = sorted((i.outage, i.seconds) for i in rules.per_user(rows))
    assert spans == [(1, 3 * 3600), (2, 3600)]


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)), st.integers(0, 800))
def test_the_months_cover_the_period_exactly(first, length):
    last = first + dt.timedelta(days=length)
    spans = rules.months(first, last)
    assert spans[0][0] == first and spans[-1][1] == last
    assert sum((b - a).days + 1 for a, b in spans) == length + 1
    assert all(a.month == b.month and a.year == b.year for a, b in spans)
    assert sum(rules.period_hours(a, b) for a, b in spans) == rules.period_hours(first, last)
