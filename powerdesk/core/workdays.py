"""Working-day arithmetic over the calendar table, what each year's days rest on, and the point where the
apps above hear that the calendar changed.

A year is *imported* (the State Council's arrangement: from ``chinese-calendar`` or a CSV file),
*derived* (its statutory holidays computed from the holiday rule, :mod:`powerdesk.core.holidays`, until
its arrangement is imported) or *missing* (no rows: Monday–Friday). :func:`year_status` tells which, for
the dashboard's warning and the readiness check; the writes are in :mod:`powerdesk.core.services`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from powerdesk.core import refcache
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.core.extensions import Registry
from powerdesk.core.models import CalendarDay, CalendarYear

IMPORTED, DERIVED, MISSING = CalendarYear.Origin.IMPORTED.value, CalendarYear.Origin.DERIVED.value, "missing"

# Why a year's working days changed (the codes the timeline keeps).
REASON_IMPORTED = "imported"  # the State Council's arrangement, imported from a file
REASON_PACKAGE = "package"  # the arrangement, from a newer chinese-calendar release
REASON_DERIVED = "derived"  # derived from the holiday rule (first derivation, or the rule rows changed)


@dataclass(frozen=True)
class CalendarChange:
    """The years whose working days changed, each with the reason code."""

    reasons: Mapping[int, str]

    @property
    def years(self) -> list[int]:
        return sorted(self.reasons)


# Called with a CalendarChange after the days of some years changed, inside the transaction that changed
# them, before it commits (the SLA app re-times the clocks that counted on the old days).
CalendarHook = Callable[[CalendarChange], None]
calendar_changed: Registry[CalendarHook] = Registry("calendar_changed")


def _load_year(year: int) -> dict[dt.date, bool] | None:
    if not CalendarYear.objects.filter(year=year).exists():
        return None
    return dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))


def _year(year: int) -> dict[dt.date, bool] | None:
    """The days of a loaded year (date → is_workday), or None when the year is not loaded (cached per
    process, see :mod:`powerdesk.core.refcache`)."""
    return refcache.get(f"workdays.{year}", lambda: _load_year(year))


def is_workday(day: dt.date) -> bool:
    days = _year(day.year)
    if days is not None and day in days:
        return days[day]
    return day.weekday() < 5


def year_statuses(years: Iterable[int]) -> dict[int, str]:
    """Each year's status: ``imported``, ``derived`` or ``missing``, in the order given."""
    years = list(years)
    origins = dict(CalendarYear.objects.filter(year__in=years).values_list("year", "origin"))
    return {y: origins.get(y, MISSING) for y in years}


def year_status(year: int) -> str:
    """``imported``, ``derived`` or ``missing``: the calendar's readiness for ``year``. A derived year is
    loaded (its statutory holidays are right, its bridging days are not known yet) and is warned about."""
    return year_statuses([year])[year]


def missing_years(years: list[int]) -> list[int]:
    statuses = year_statuses(years)
    return [y for y in years if statuses[y] == MISSING]


def add_working_days(
    start: dt.datetime, n: int, workday: Callable[[dt.date], bool] = is_workday
) -> dt.datetime:
    """``start`` plus ``n`` working days, keeping the local time of day; ``workday`` tells a working day
    (by default the calendar table's :func:`is_workday`; the rule itself needs no database).

    A start on a non-working day counts from 00:00 of the next working day, so "1 working day" from a
    Saturday call ends when Monday ends.
    """
    local = start.astimezone(BUSINESS_TZ)
    day = local.date()
    time_of_day = local.timetz().replace(tzinfo=None)
    if not workday(day):
        while not workday(day):
            day += dt.timedelta(days=1)
        time_of_day = dt.time(0, 0)
    remaining = n
    while remaining > 0:
        day += dt.timedelta(days=1)
        if workday(day):
            remaining -= 1
    return dt.datetime.combine(day, time_of_day, tzinfo=BUSINESS_TZ)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=BUSINESS_TZ)


def working_seconds_between(
    start: dt.datetime, end: dt.datetime, workday: Callable[[dt.date], bool] = is_workday
) -> int:
    """How much of ``[start, end)`` falls on working days, in seconds (a working day counts whole, as
    :func:`add_working_days` counts it): the time a pause took from a limit set in working days."""
    if end <= start:
        return 0
    local_end = end.astimezone(BUSINESS_TZ)
    day = start.astimezone(BUSINESS_TZ).date()
    total = 0.0
    while day <= local_end.date():
        if workday(day):
            lo = max(start, _day_start(day))
            hi = min(end, _day_start(day + dt.timedelta(days=1)))
            total += max(0.0, (hi - lo).total_seconds())
        day += dt.timedelta(days=1)
    return int(total)


def add_working_seconds(
    start: dt.datetime, seconds: int, workday: Callable[[dt.date], bool] = is_workday
) -> dt.datetime:
    """``start`` plus ``seconds`` of working-day time: days off are stepped over (a due time pushed by a
    pause of one working day moves to the next working day, not by 24 hours of the calendar)."""
    if seconds <= 0:
        return start
    moment = start.astimezone(BUSINESS_TZ)
    remaining = float(seconds)
    while True:
        day = moment.date()
        next_day = _day_start(day + dt.timedelta(days=1))
        if workday(day):
            room = (next_day - moment).total_seconds()
            if remaining <= room:
                return moment + dt.timedelta(seconds=remaining)
            remaining -= room
        moment = next_day
