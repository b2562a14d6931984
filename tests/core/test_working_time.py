"""Working-day time: how much of a span lies on working days, and a moment pushed on by such time."""

from __future__ import annotations

import datetime as dt

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.core.workdays import add_working_seconds, working_seconds_between

DAY = 86400


def weekdays(day: dt.date) -> bool:
    return day.weekday() < 5


def t(d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, d, h, tzinfo=BUSINESS_TZ)  # 16 Nov 2026 is a Monday


def test_it_counts_only_the_working_days_of_a_span():
    assert working_seconds_between(t(19), t(23), weekdays) == 2 * DAY  # Thu 10:00 → Mon 10:00
    assert working_seconds_between(t(21), t(22), weekdays) == 0  # inside the weekend
    assert working_seconds_between(t(16), t(16, 16), weekdays) == 6 * 3600
    assert working_seconds_between(t(23), t(19), weekdays) == 0  # backwards: nothing


def test_it_pushes_a_moment_over_days_off():
    assert add_working_seconds(t(20), DAY, weekdays) == t(23)  # Fri 10:00 + 1 working day → Mon 10:00
    assert add_working_seconds(t(19), 2 * DAY, weekdays) == t(23)
    assert add_working_seconds(t(21), 3600, weekdays) == t(23, 1)  # from a Saturday: Monday's first hour
    assert add_working_seconds(t(21), 0, weekdays) == t(21)


def test_a_pause_taken_in_pieces_pushes_as_far_as_one_taken_whole():
    due = t(24)
    whole = add_working_seconds(due, working_seconds_between(t(19), t(25), weekdays), weekdays)
    first = add_working_seconds(due, working_seconds_between(t(19), t(21, 3), weekdays), weekdays)
    pieces = add_working_seconds(first, working_seconds_between(t(21, 3), t(25), weekdays), weekdays)
    assert whole == pieces
