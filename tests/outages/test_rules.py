"""The outage rules, pure: notices owed, deadlines, lateness, lead time, the ETR's source."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from powerdesk.outages import rules

START = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
PLANNED = [rules.Rule(1, "all", dt.timedelta(days=7), dt.timedelta(0))]
TEMPORARY = [rules.Rule(2, "important", dt.timedelta(hours=24), dt.timedelta(hours=1))]
HOME = rules.Affected(1, "urban_resident", False)
CLINIC = rules.Affected(2, "important", True)


def test_a_planned_outage_owes_every_affected_customer_a_notice_seven_days_ahead():
    owed = rules.notices_due(START, PLANNED, [HOME, CLINIC])
    assert {(d.customer_id, d.repeat, d.due_by) for d in owed} == {
        (1, False, START - dt.timedelta(days=7)),
        (2, False, START - dt.timedelta(days=7)),
    }


def test_a_temporary_outage_tells_important_customers_a_day_ahead_and_again_shortly_before():
    owed = rules.notices_due(START, TEMPORARY, [HOME, CLINIC])
    assert [(d.customer_id, d.repeat, d.due_by) for d in owed] == [
        (2, False, START - dt.timedelta(hours=24)),
        (2, True, START - dt.timedelta(hours=1)),
    ]


ARREARS = [
    rules.Rule(3, "residential", dt.timedelta(days=7), dt.timedelta(0)),
    rules.Rule(4, "non_residential", dt.timedelta(days=3), dt.timedelta(hours=1)),
]
SHOP = rules.Affected(3, "commercial", False)


def test_arrears_notices_differ_for_residential_and_other_customers_as_the_rule_rows_say():
    def owed(who):
        return [(d.repeat, START - d.due_by) for d in rules.notices_due(START, ARREARS, [who])]

    assert owed(HOME) == [(False, dt.timedelta(days=7))]
    assert owed(SHOP) == [(False, dt.timedelta(days=3)), (True, dt.timedelta(hours=1))]


def _standing(who, sent, now=START):
    return rules.notice_standing(start=START, rules=ARREARS, who=who, sent=sent, now=now).status


def test_notices_sent_by_their_deadlines_stand_on_time():
    assert _standing(HOME, {(3, False): START - dt.timedelta(days=8)}) == rules.ON_TIME
    sent = {(4, False): START - dt.timedelta(days=3), (4, True): START - dt.timedelta(hours=2)}
    assert _standing(SHOP, sent) == rules.ON_TIME


def test_a_notice_sent_after_its_deadline_stands_late():
    assert _standing(HOME, {(3, False): START - dt.timedelta(days=2)}) == rules.LATE
    sent = {(4, False): START - dt.timedelta(days=4), (4, True): START - dt.timedelta(minutes=30)}
    assert _standing(SHOP, sent) == rules.LATE


def test_a_notice_never_sent_is_missing_once_due_and_not_yet_before():
    assert _standing(HOME, {}) == rules.MISSING
    assert _standing(HOME, {}, now=START - dt.timedelta(days=8)) == rules.NOT_YET
    # the first notice on time, the one shortly before never sent: missing outweighs all
    assert _standing(SHOP, {(4, False): START - dt.timedelta(days=4)}) == rules.MISSING


def test_no_rule_for_the_customer_owes_nothing():
    assert _standing(HOME, {}) != rules.NONE_OWED
    status = rules.notice_standing(start=START, rules=ARREARS[1:], who=HOME, sent={}, now=START).status
    assert status == rules.NONE_OWED


@given(st.integers(min_value=0, max_value=30 * 24 * 60))
def test_lead_time_is_short_exactly_when_the_start_is_closer_than_the_longest_lead(minutes):
    registered = START - dt.timedelta(minutes=minutes)
    short = rules.lead_is_short(registered_at=registered, start=START, rules=PLANNED)
    assert short == (minutes < 7 * 24 * 60)


@given(st.integers(min_value=-600, max_value=600))
def test_a_notice_is_late_when_sent_after_its_deadline(offset):
    due = START
    sent = due + dt.timedelta(minutes=offset)
    assert rules.notice_is_late(due_by=due, sent_at=sent, now=sent) == (offset > 0)


def test_a_notice_never_sent_is_late_once_its_deadline_passed():
    assert not rules.notice_is_late(due_by=START, sent_at=None, now=START)
    assert rules.notice_is_late(due_by=START, sent_at=None, now=START + dt.timedelta(seconds=1))


def test_the_etr_comes_from_the_strongest_source():
    crew, storm = START + dt.timedelta(hours=1), START + dt.timedelta(hours=5)
    pick = lambda **kw: rules.etr_choose(start=START, default_minutes=240, **kw)  # noqa: E731
    assert pick(crew=crew, storm=storm, history_minutes=30) == (crew, "crew")
    assert pick(crew=None, storm=storm, history_minutes=30) == (storm, "storm")
    assert pick(crew=None, storm=None, history_minutes=30) == (START + dt.timedelta(minutes=30), "history")
    assert pick(crew=None, storm=None, history_minutes=None) == (START + dt.timedelta(hours=4), "default")


def test_history_needs_enough_samples():
    assert rules.history_minutes([60, 90], 3) is None
    assert rules.history_minutes([60, 90, 300], 3) == 90
