"""The pure rules: times of day, when unreached attempts allow 无法联系, what a bad callback leads to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powerdesk.feedback import rules


@dataclass
class B:
    code: str
    starts: dt.time
    ends: dt.time


BANDS = [
    B("morning", dt.time(8), dt.time(12)),
    B("afternoon", dt.time(12), dt.time(18)),
    B("evening", dt.time(18), dt.time(21)),
]
NIGHT = [B("night", dt.time(22), dt.time(6))]
# The rules are fast; a slow draw is the shared machine's load, not a finding.
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_a_time_belongs_to_the_band_it_falls_in_ends_excluded():
    assert rules.band_of(dt.time(8), BANDS) == "morning"
    assert rules.band_of(dt.time(11, 59), BANDS) == "morning"
    assert rules.band_of(dt.time(12), BANDS) == "afternoon"
    assert rules.band_of(dt.time(21), BANDS) is None
    assert rules.band_of(dt.time(7, 59), BANDS) is None


def test_a_band_past_midnight_wraps():
    assert rules.band_of(dt.time(23), NIGHT) == "night"
    assert rules.band_of(dt.time(3), NIGHT) == "night"
    assert rules.band_of(dt.time(6), NIGHT) is None


@RELAXED
@given(st.lists(st.times(), max_size=8), st.integers(min_value=1, max_value=4))
def test_closing_as_unreachable_needs_that_many_distinct_times_of_day(times, required):
    distinct = {rules.band_of(t, BANDS) for t in times} - {None}
    assert rules.may_close_unreachable(times, BANDS, required) == (len(distinct) >= required)


def test_three_attempts_in_one_afternoon_are_not_enough():
    afternoon = [dt.time(13), dt.time(15), dt.time(17)]
    assert not rules.may_close_unreachable(afternoon, BANDS, 3)
    assert rules.may_close_unreachable([dt.time(9), dt.time(13), dt.time(19)], BANDS, 3)


def test_a_dissatisfied_callback_weighs_before_an_unresolved_one():
    outcome = rules.callback_outcome(
        satisfaction="dissatisfied", resolved=False, on_dissatisfied="reopen", on_unresolved="follow_up"
    )
    assert outcome == ("reopen", "dissatisfied")
    assert rules.callback_outcome(
        satisfaction="satisfied", resolved=False, on_dissatisfied="reopen", on_unresolved="follow_up"
    ) == ("follow_up", "unresolved")
    assert rules.callback_outcome(
        satisfaction="satisfied", resolved=True, on_dissatisfied="reopen", on_unresolved="follow_up"
    ) == ("nothing", "")
    assert rules.callback_outcome(
        satisfaction="dissatisfied", resolved=False, on_dissatisfied="nothing", on_unresolved="follow_up"
    ) == ("follow_up", "unresolved")


@dataclass
class S:
    business_type: str
    sub_type_id: int | None


def test_the_sub_types_script_wins_over_the_general_one():
    general, special = S("repair", None), S("repair", 7)
    assert rules.script_for([general, special], "repair", 7) is special
    assert rules.script_for([general, special], "repair", 8) is general
    assert rules.script_for([general], "complaint", None) is None


@RELAXED
@given(st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=5))
def test_a_low_score_is_at_or_below_the_threshold(score, threshold):
    assert rules.is_low_score(score, threshold) == (score <= threshold)
    assert not rules.is_low_score(None, threshold)


def test_the_frequency_cap_and_the_opt_out():
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert rules.may_survey(opted_out=False, last_invited_at=None, now=now, gap_days=90)
    assert not rules.may_survey(opted_out=True, last_invited_at=None, now=now, gap_days=90)
    assert not rules.may_survey(
        opted_out=False, last_invited_at=now - dt.timedelta(days=89), now=now, gap_days=90
    )
    assert rules.may_survey(
        opted_out=False, last_invited_at=now - dt.timedelta(days=90), now=now, gap_days=90
    )


@RELAXED
@given(st.integers(0, 1000), st.integers(0, 1000), st.integers(0, 1000))
def test_progress_stays_between_0_and_100(targeted, sent, skipped):
    assert 0 <= rules.campaign_progress(targeted=targeted, sent=sent, skipped=skipped) <= 100
