"""The complaint rules as pure functions: the verdict of a checklist for every kind of answer, the
checklist chosen, the pre-fills, the arrears notice, the repeat-complaint rule, the leadership chain."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from powerdesk.complaints import rules
from powerdesk.complaints.rules import NO, UNKNOWN, YES, CriterionSpec
from powerdesk.outages import rules as outage_rules

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=TZ)

criteria_lists = st.lists(
    st.builds(
        CriterionSpec,
        code=st.text(alphabet="abcdefgh", min_size=1, max_size=4),
        failing_means=st.sampled_from([rules.FAILS_INVALID, rules.FAILS_NEEDS_EVIDENCE]),
        only_if_repeated=st.booleans(),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda c: c.code,
)


@given(criteria_lists, st.booleans())
def test_all_criteria_met_is_valid(criteria, single):
    outcome = rules.verdict(criteria, {c.code: YES for c in criteria}, single_event_suffices=single)
    applicable = [c for c in criteria if not (c.only_if_repeated and single)]
    assert outcome.verdict == (rules.VALID if applicable else rules.PENDING)
    assert [r.criterion for r in outcome.reasons] == [c.code for c in criteria]


@given(criteria_lists, st.data())
def test_a_no_to_a_criterion_whose_failure_means_invalid_is_invalid_whatever_else(criteria, data):
    target = data.draw(st.sampled_from(criteria))
    answers = {c.code: data.draw(st.sampled_from([YES, NO, UNKNOWN])) for c in criteria}
    answers[target.code] = NO
    target_applies = not target.only_if_repeated
    outcome = rules.verdict(criteria, answers, single_event_suffices=True)
    if target.failing_means == rules.FAILS_INVALID and target_applies:
        assert outcome.verdict == rules.INVALID
        assert any(r.criterion == target.code and r.effect == "failed" for r in outcome.reasons)


@given(criteria_lists, st.data())
def test_without_a_failure_an_unknown_or_awaited_evidence_is_pending(criteria, data):
    target = data.draw(st.sampled_from(criteria))
    answers = {c.code: YES for c in criteria}
    answers[target.code] = data.draw(st.sampled_from([UNKNOWN, NO]))
    outcome = rules.verdict(criteria, answers, single_event_suffices=False)
    if answers[target.code] == NO and target.failing_means == rules.FAILS_INVALID:
        assert outcome.verdict == rules.INVALID
    else:
        assert outcome.verdict == rules.PENDING


def test_a_criterion_only_for_repeated_events_is_skipped_when_one_event_suffices():
    criteria = [CriterionSpec("late"), CriterionSpec("repeated", only_if_repeated=True)]
    answers = {"late": YES, "repeated": NO}
    assert rules.verdict(criteria, answers, single_event_suffices=True).verdict == rules.VALID
    assert rules.verdict(criteria, answers, single_event_suffices=False).verdict == rules.INVALID


def test_the_checklist_of_the_topic_wins_over_the_one_for_any_topic_and_the_newest_valid_one_applies():
    old_any = rules.ChecklistKey(1, sub_type_id=5, topic_id=None, valid_from=dt.date(2020, 1, 1))
    new_any = rules.ChecklistKey(2, sub_type_id=5, topic_id=None, valid_from=dt.date(2026, 1, 1))
    topical = rules.ChecklistKey(3, sub_type_id=5, topic_id=9, valid_from=dt.date(2020, 1, 1))
    keys = [old_any, new_any, topical]
    assert rules.checklist_for(keys, sub_type_id=5, topic_id=9, on=dt.date(2026, 3, 1)) == 3
    assert rules.checklist_for(keys, sub_type_id=5, topic_id=7, on=dt.date(2026, 3, 1)) == 2
    assert rules.checklist_for(keys, sub_type_id=5, topic_id=7, on=dt.date(2025, 3, 1)) == 1
    assert rules.checklist_for(keys, sub_type_id=6, topic_id=7, on=dt.date(2025, 3, 1)) is None
    assert rules.checklist_for(keys, sub_type_id=None, topic_id=7, on=dt.date(2025, 3, 1)) is None


@given(st.integers(0, 400), st.integers(1, 200), st.booleans())
def test_a_late_arrival_is_one_after_the_limit(minutes, limit, arrived):
    accepted = NOW - dt.timedelta(hours=10)
    moment = accepted + dt.timedelta(minutes=minutes)
    if arrived:
        answer = rules.late_arrival(accepted_at=accepted, arrived_at=moment, limit_minutes=limit, now=NOW)
    else:
        answer = rules.late_arrival(accepted_at=accepted, arrived_at=None, limit_minutes=limit, now=moment)
    assert answer == (YES if minutes > limit else NO)
    assert rules.late_arrival(accepted_at=accepted, arrived_at=None, limit_minutes=None, now=NOW) == UNKNOWN


@given(st.integers(0, 800))
def test_an_event_within_three_months_is_within_the_period(days_ago):
    event = NOW - dt.timedelta(days=days_ago)
    answer = rules.within_months(event_at=event, now=NOW, months=3)
    assert answer == (YES if event >= dt.datetime(2026, 3, 15, 12, 0, tzinfo=TZ) else NO)
    assert rules.within_months(event_at=None, now=NOW, months=3) == UNKNOWN


def test_months_are_added_on_the_calendar():
    assert rules.add_months(dt.datetime(2026, 5, 31, tzinfo=TZ), -3).date() == dt.date(2026, 2, 28)
    assert rules.add_months(dt.datetime(2026, 1, 10, tzinfo=TZ), -3).date() == dt.date(2025, 10, 10)


def test_the_property_boundary_comes_from_the_related_repairs_sub_type():
    side = {"repair_customer_side"}
    assert rules.company_side(customer_side_sub_types=side, repair_sub_type="repair_customer_side") == NO
    assert rules.company_side(customer_side_sub_types=side, repair_sub_type="repair_lv") == YES
    assert rules.company_side(customer_side_sub_types=side, repair_sub_type=None) == UNKNOWN


ARREARS = [
    outage_rules.Rule(3, "residential", dt.timedelta(days=7), dt.timedelta(0)),
    outage_rules.Rule(4, "non_residential", dt.timedelta(days=3), dt.timedelta(hours=1)),
]


@given(st.integers(0, 90), st.integers(0, 20 * 24), st.booleans(), st.integers(-3, 48))
def test_an_arrears_disconnection_breaks_the_rule_when_early_or_not_duly_notified(
    overdue, notice_hours_before, residential, final_hours_before
):
    disconnected = NOW
    who = outage_rules.Affected(1, "urban_resident" if residential else "commercial", False)
    sent = {
        (3, False): disconnected - dt.timedelta(hours=notice_hours_before),
        (4, False): disconnected - dt.timedelta(hours=notice_hours_before),
        (4, True): disconnected - dt.timedelta(hours=final_hours_before),
    }
    standing = outage_rules.notice_standing(start=disconnected, rules=ARREARS, who=who, sent=sent, now=NOW)
    answer = rules.notice_improper(standing=standing.status, overdue_days=overdue, min_overdue_days=30)
    days = 7 if residential else 3
    improper = (
        overdue <= 30 or notice_hours_before < days * 24 or (not residential and final_hours_before < 1)
    )
    assert answer == (YES if improper else NO)


def test_a_disconnection_without_the_facts_is_unknown():
    assert rules.notice_improper(standing=UNKNOWN, overdue_days=None, min_overdue_days=30) == UNKNOWN
    # notices in time, but whether the arrears were overdue long enough is not known
    on_time = outage_rules.ON_TIME
    assert rules.notice_improper(standing=on_time, overdue_days=None, min_overdue_days=30) == UNKNOWN
    assert rules.notice_improper(standing=on_time, overdue_days=40, min_overdue_days=30) == NO
    assert rules.notice_improper(standing=outage_rules.NOT_YET) == UNKNOWN


def test_an_outage_notice_late_or_missing_breaks_the_rule_and_one_in_time_does_not():
    assert rules.notice_improper(standing=outage_rules.LATE) == YES
    assert rules.notice_improper(standing=outage_rules.MISSING) == YES
    assert rules.notice_improper(standing=outage_rules.ON_TIME) == NO
    assert rules.notice_improper(standing=outage_rules.NONE_OWED) == NO


def _earlier(id, business_type="complaint", days_ago=3, sub_type=1, topic=1, related=()):
    return rules.EarlierOrder(
        id=id,
        business_type=business_type,
        archived_at=NOW - dt.timedelta(days=days_ago),
        sub_type_id=sub_type,
        topic_id=topic,
        related_ids=frozenset(related),
    )


def _repeats(earlier, related=frozenset(), sub_type=1, topic=1, **rule):
    rule = {"window_days": 30, "by_related_order": True, "by_sub_type_and_topic": True, **rule}
    return rules.repeats(earlier, related_ids=related, sub_type_id=sub_type, topic_id=topic, now=NOW, **rule)


def test_the_same_related_order_is_the_same_event_however_long_ago():
    earlier = [_earlier(10, days_ago=200, sub_type=2, related=[99])]
    assert _repeats(earlier, related=frozenset({99})) == 10
    assert _repeats(earlier, related=frozenset({10})) == 10  # the new complaint names the earlier order
    assert _repeats(earlier, related=frozenset({99}), by_related_order=False) is None


@given(st.integers(0, 90), st.sampled_from(["complaint", "opinion", "consultation", "repair"]))
def test_the_same_sub_type_and_topic_is_the_same_event_within_the_window(days_ago, business_type):
    earlier = [_earlier(10, business_type=business_type, days_ago=days_ago)]
    found = _repeats(earlier)
    assert found == (10 if days_ago <= 30 and business_type in ("complaint", "opinion") else None)
    assert _repeats(earlier, topic=2) is None
    assert _repeats(earlier, by_sub_type_and_topic=False) is None


def test_the_newest_archived_order_is_the_one_repeated():
    assert _repeats([_earlier(10, days_ago=9), _earlier(11, days_ago=2)]) == 11


def test_the_leadership_chain_is_each_head_once_nearest_first():
    assert rules.leadership_chain([5, 3, 1], {3: 30, 1: 10, 7: 70}) == [30, 10]
    assert rules.leadership_chain([5, 3, 1], {5: 10, 1: 10}) == [10]
    assert rules.leadership_due(notifies=True, already_notified=False)
    assert not rules.leadership_due(notifies=True, already_notified=True)
    assert not rules.leadership_due(notifies=False, already_notified=False)


def test_a_rectification_is_overdue_only_while_open_and_after_its_due_day():
    day = dt.date(2026, 3, 10)
    assert rules.rectification_overdue(is_open=True, due_date=day, today=day + dt.timedelta(days=1))
    assert not rules.rectification_overdue(is_open=True, due_date=day, today=day)
    assert not rules.rectification_overdue(is_open=False, due_date=day, today=day + dt.timedelta(days=5))
