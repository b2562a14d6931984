"""The time-limit rules as pure functions: due times across any calendar, and escalation sequences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.sla import rules

DAY0 = dt.date(2026, 1, 1)


@dataclass(frozen=True)
class Step:
    level: int
    at_ratio: Decimal
    action: str
    raise_priority: bool = False


@dataclass
class Times:
    started_at: dt.datetime
    allowed_seconds: int
    paused_seconds: int = 0


SEEDED_STEPS = [
    Step(1, Decimal("0.80"), rules.NOTIFY_HANDLER),
    Step(2, Decimal("1.00"), rules.NOTIFY_HANDLER),
    Step(3, Decimal("1.00"), rules.NOTIFY_UNIT_HEAD, True),
    Step(4, Decimal("1.50"), rules.NOTIFY_PARENT_HEAD),
]

# A calendar: days off (holidays) and weekend days that are working days (调休), within a year and a half.
offsets = st.integers(min_value=0, max_value=540)
calendars = st.tuples(st.frozensets(offsets, max_size=60), st.frozensets(offsets, max_size=20))
starts = st.builds(
    lambda day, minute: (
        dt.datetime.combine(DAY0 + dt.timedelta(days=day), dt.time(), tzinfo=BUSINESS_TZ)
        + dt.timedelta(minutes=minute)
    ),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=24 * 60 - 1),
)


def workday_of(calendar):
    holidays, makeup = calendar

    def is_workday(day: dt.date) -> bool:
        offset = (day - DAY0).days
        if offset in makeup and day.weekday() >= 5:
            return True
        return day.weekday() < 5 and offset not in holidays

    return is_workday


@given(starts, st.integers(min_value=0, max_value=10_000), st.sampled_from(["minutes", "hours", "days"]))
def test_a_limit_in_minutes_hours_or_days_ends_that_long_after_the_start(start, amount, unit):
    due = rules.due_time(start, amount, unit, lambda day: True)
    assert due - start == dt.timedelta(**{unit: amount})


@settings(max_examples=300)
@given(starts, st.integers(min_value=0, max_value=40), calendars)
def test_working_days_count_only_working_days_and_keep_the_time_of_day(start, n, calendar):
    is_workday = workday_of(calendar)
    due = rules.due_time(start, n, rules.WORKING_DAYS, is_workday)
    local_start, local_due = start.astimezone(BUSINESS_TZ), due.astimezone(BUSINESS_TZ)
    assert local_due >= local_start
    assert is_workday(local_due.date())
    first = local_start.date()
    if is_workday(first):
        assert local_due.time() == local_start.time()
    else:  # counted from the beginning of the next working day
        assert local_due.time() == dt.time(0, 0)
        while not is_workday(first):
            first += dt.timedelta(days=1)
    between = [first + dt.timedelta(days=k) for k in range(1, (local_due.date() - first).days + 1)]
    assert sum(is_workday(day) for day in between) == n


@given(starts, st.integers(min_value=1, max_value=40), calendars)
def test_one_more_working_day_never_ends_earlier(start, n, calendar):
    is_workday = workday_of(calendar)
    assert rules.due_time(start, n, rules.WORKING_DAYS, is_workday) > rules.due_time(
        start, n - 1, rules.WORKING_DAYS, is_workday
    )


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        rules.due_time(dt.datetime(2026, 1, 1, tzinfo=BUSINESS_TZ), 1, "fortnights", lambda day: True)


# --- escalation sequences --------------------------------------------------------------------------

ratios = st.decimals(min_value=Decimal("0.10"), max_value=Decimal("0.99"), places=2)
clock_times = st.builds(
    Times,
    started_at=st.just(dt.datetime(2026, 11, 16, 10, 0, tzinfo=BUSINESS_TZ)),
    allowed_seconds=st.integers(min_value=60, max_value=10 * 86400),
    paused_seconds=st.integers(min_value=0, max_value=86400),
)
moments = st.floats(min_value=0, max_value=3.0)  # as a share of the allowed time after the start


def _at(clock: Times, share: float) -> dt.datetime:
    return clock.started_at + dt.timedelta(seconds=clock.paused_seconds + share * clock.allowed_seconds)


def _sweep(clock: Times, state, now, warn_ratio):
    """One sweep of the clock at ``now``: the steps taken, and the clock's state after them."""
    due = rules.steps_due(
        clock,
        state=state["state"],
        level=state["level"],
        breached=state["breached"],
        running=True,
        warn_ratio=warn_ratio,
        steps=SEEDED_STEPS,
        now=now,
    )
    after = dict(state)
    for taken in due.taken:
        after["level"] = taken.step.level
        if taken.breach:
            after["breached"], after["state"] = True, rules.BREACHED
    return due, after


START = {"state": rules.RUNNING, "level": 0, "breached": False}


@settings(max_examples=300)
@given(clock_times, ratios, st.lists(moments, min_size=1, max_size=6))
def test_sweeping_often_or_once_takes_the_same_steps_each_once_in_level_order(clock, warn_ratio, shares):
    times = sorted(_at(clock, share) for share in shares)
    state, taken = dict(START), []
    for now in times:
        due, state = _sweep(clock, state, now, warn_ratio)
        taken += due.taken
    once, once_state = _sweep(clock, dict(START), times[-1], warn_ratio)
    assert [t.step.level for t in taken] == [t.step.level for t in once.taken]
    assert [t.step.level for t in taken] == list(range(1, len(taken) + 1))
    assert sum(t.breach for t in taken) == (1 if state["breached"] else 0) <= 1
    assert state == once_state
    # a second sweep at the same moment takes nothing
    again, _ = _sweep(clock, state, times[-1], warn_ratio)
    assert again.taken == []


@given(clock_times, ratios, moments)
def test_the_next_check_is_when_the_first_step_left_falls_due(clock, warn_ratio, share):
    now = _at(clock, share)
    due, state = _sweep(clock, dict(START), now, warn_ratio)
    for taken in due.taken:
        assert taken.at <= now
    if due.next_check is None:
        assert state["level"] == SEEDED_STEPS[-1].level
    else:
        assert due.next_check > now
        following = SEEDED_STEPS[state["level"]]
        assert due.next_check == rules.step_time(clock, rules.step_ratio(following.at_ratio, warn_ratio))
        assert due.next_check == rules.next_check(
            clock,
            state=state["state"],
            level=state["level"],
            running=True,
            warn_ratio=warn_ratio,
            steps=SEEDED_STEPS,
        )


@given(clock_times, ratios)
def test_the_warning_comes_at_the_policys_warn_ratio_and_the_breach_at_the_deadline(clock, warn_ratio):
    warn = rules.warn_time(clock, warn_ratio)
    before, _ = _sweep(clock, dict(START), warn - dt.timedelta(microseconds=1), warn_ratio)
    at, _ = _sweep(clock, dict(START), warn, warn_ratio)
    assert before.taken == [] and [t.step.level for t in at.taken] == [1]
    deadline = _at(clock, 1.0)
    due, state = _sweep(clock, dict(START), deadline, warn_ratio)
    assert [(t.step.level, t.breach) for t in due.taken] == [(1, False), (2, True), (3, False)]
    assert state["state"] == rules.BREACHED


@given(clock_times, ratios, moments, st.sampled_from(["paused", "met", "cancelled"]))
def test_a_clock_that_is_not_running_takes_no_step_and_needs_no_check(clock, warn_ratio, share, state):
    due = rules.steps_due(
        clock,
        state=state,
        level=0,
        breached=False,
        running=state != "met",
        warn_ratio=warn_ratio,
        steps=SEEDED_STEPS,
        now=_at(clock, share),
    )
    assert due.taken == [] and due.next_check is None


def test_a_clock_already_breached_records_no_second_breach():
    clock = Times(dt.datetime(2026, 11, 16, 10, 0, tzinfo=BUSINESS_TZ), 2700)
    due, _ = _sweep(
        clock, {"state": rules.BREACHED, "level": 1, "breached": True}, _at(clock, 2.0), Decimal("0.8")
    )
    assert [t.step.level for t in due.taken] == [2, 3, 4] and not any(t.breach for t in due.taken)


def test_each_step_tells_the_handler_the_unit_head_or_the_head_above():
    people = {"handler": 1, "unit_head": 2, "parent_head": 3}
    assert [rules.recipient(s.action, **people) for s in SEEDED_STEPS] == [1, 1, 2, 3]
    assert rules.recipient(rules.NOTIFY_PARENT_HEAD, handler=1, unit_head=2, parent_head=None) is None
    assert [rules.escalates(s) for s in SEEDED_STEPS] == [False, False, True, True]


def test_a_phone_gets_an_sms_else_an_email_else_nothing():
    assert rules.channel("13800000000", "a@b.cn") == ("sms", "13800000000")
    assert rules.channel(" ", "a@b.cn") == ("email", "a@b.cn")
    assert rules.channel("", "") is None


@given(st.data())
def test_steps_are_due_in_level_order_whatever_order_they_are_stored_in(data):
    stored = data.draw(st.permutations(SEEDED_STEPS))
    clock = Times(dt.datetime(2026, 11, 16, 10, 0, tzinfo=BUSINESS_TZ), 2700)
    due = rules.steps_due(
        clock,
        state=rules.RUNNING,
        level=0,
        breached=False,
        running=True,
        warn_ratio=Decimal("0.8"),
        steps=stored,
        now=_at(clock, 2.0),
    )
    assert [t.step.level for t in due.taken] == [1, 2, 3, 4]


pauses = st.integers(min_value=0, max_value=20 * 86400)


@given(starts, pauses, st.sampled_from([rules.MINUTES, rules.HOURS, rules.DAYS]))
def test_a_limit_of_the_clock_is_pushed_by_the_pause_itself(due, pause, unit):
    paused_at = due - dt.timedelta(days=3)
    resumed_at = paused_at + dt.timedelta(seconds=pause)
    assert rules.resumed_due(due, paused_at, resumed_at, unit, lambda day: False) == due + dt.timedelta(
        seconds=pause
    )


@given(starts, pauses)
def test_without_days_off_a_working_day_limit_is_pushed_by_the_pause_itself(due, pause):
    paused_at = due - dt.timedelta(days=3)
    resumed_at = paused_at + dt.timedelta(seconds=pause)
    every_day = lambda day: True  # noqa: E731
    pushed = rules.resumed_due(due, paused_at, resumed_at, rules.WORKING_DAYS, every_day)
    assert pushed == due + dt.timedelta(seconds=pause)


@given(starts, calendars, st.integers(min_value=0, max_value=10))
def test_a_pause_on_days_off_costs_a_working_day_limit_nothing(due, calendar, days):
    workday = workday_of(calendar)
    first = due.astimezone(BUSINESS_TZ).date() - dt.timedelta(days=40)
    off = [first + dt.timedelta(days=i) for i in range(40) if not workday(first + dt.timedelta(days=i))]
    if not off:
        return
    day = off[days % len(off)]
    paused_at = dt.datetime.combine(day, dt.time(), tzinfo=BUSINESS_TZ)
    resumed_at = paused_at + dt.timedelta(days=1)  # the whole day off
    assert rules.resumed_due(due, paused_at, resumed_at, rules.WORKING_DAYS, workday) == due
