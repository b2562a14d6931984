"""The pure rules of telling customers: the quiet hours, the step of a transition, the rule that applies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.notify.rules import customer_step, message_rule_for, quiet_until


@dataclass
class Window:
    start: dt.time
    end: dt.time


@dataclass
class Rule:
    business_type: str
    sub_type_id: int | None
    step: str
    is_active: bool = True


NIGHT = Window(dt.time(21), dt.time(8))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=BUSINESS_TZ)


def test_a_moment_in_the_night_waits_until_the_morning_after_or_of_the_same_day():
    assert quiet_until(at(16, 22, 30), [NIGHT]) == at(17, 8)
    assert quiet_until(at(17, 3, 0), [NIGHT]) == at(17, 8)
    assert quiet_until(at(16, 21, 0), [NIGHT]) == at(17, 8)  # the start is inside
    assert quiet_until(at(17, 8, 0), [NIGHT]) is None  # the end is not
    assert quiet_until(at(16, 20, 59), [NIGHT]) is None


def test_the_window_is_read_in_beijing_time_whatever_the_moments_zone():
    assert quiet_until(dt.datetime(2026, 11, 16, 14, 0, tzinfo=dt.UTC), [NIGHT]) == at(17, 8)  # 22:00 local


def test_touching_windows_are_followed_to_the_end_of_the_last():
    lunch = Window(dt.time(8), dt.time(9))
    assert quiet_until(at(16, 23), [NIGHT, lunch]) == at(17, 9)


times = st.times()
windows = st.lists(st.builds(Window, times, times).filter(lambda w: w.start != w.end), max_size=3)
moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(BUSINESS_TZ)
)


def _inside(moment: dt.datetime, window: Window) -> bool:
    t = moment.astimezone(BUSINESS_TZ).time().replace(tzinfo=None)
    if window.start < window.end:
        return window.start <= t < window.end
    return t >= window.start or t < window.end


@given(moments, windows)
def test_a_deferred_message_lands_later_and_outside_every_window(moment, ws):
    until = quiet_until(moment, ws)
    if not any(_inside(moment, w) for w in ws):
        assert until is None
        return
    if until is None:  # the windows cover the whole day: nothing would ever be sent, so nothing waits
        return
    assert until > moment and until - moment <= dt.timedelta(days=len(ws))
    assert not any(_inside(until, w) for w in ws)


def test_the_customer_steps_of_transitions():
    assert customer_step(code="dispatch", business_type="repair", to_status="dispatched") == "dispatched"
    assert customer_step(code="dispatch", business_type="complaint", to_status="dispatched") is None
    assert customer_step(code="reply", business_type="complaint", to_status="replied") == "replied"
    assert customer_step(code="archive", business_type="opinion", to_status="archived") == "closed"
    assert customer_step(code="answer", business_type="consultation", to_status="archived") == "closed"
    assert customer_step(code="take", business_type="repair", to_status="in_progress") is None


def test_a_rule_for_the_sub_type_wins_and_an_inactive_rule_does_not_apply():
    general, special = Rule("repair", None, "accepted"), Rule("repair", 7, "accepted")
    rules = [general, special, Rule("repair", None, "closed", is_active=False)]
    assert message_rule_for(rules, business_type="repair", sub_type_id=7, step="accepted") is special
    assert message_rule_for(rules, business_type="repair", sub_type_id=8, step="accepted") is general
    assert message_rule_for(rules, business_type="repair", sub_type_id=None, step="accepted") is general
    assert message_rule_for(rules, business_type="repair", sub_type_id=None, step="closed") is None
    assert message_rule_for(rules, business_type="praise", sub_type_id=None, step="accepted") is None
