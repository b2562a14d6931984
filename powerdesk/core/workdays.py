"""Working-day arithmetic over the calendar table.

A year that is not loaded falls back to Monday–Friday; :func:`missing_years` tells the dashboard so it
can warn until an administrator loads the year (the State Council publishes it each autumn).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from powerdesk.core import refcache
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.core.models import CalendarDay, CalendarYear

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


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


def missing_years(years: list[int]) -> list[int]:
    loaded = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    return [y for y in years if y not in loaded]


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


def load_from_chinese_calendar(years: list[int] | None = None) -> list[int]:
    """Load every year ``chinese-calendar`` knows (or the given ones); returns the years loaded."""
    from chinese_calendar import constants

    known = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    wanted = [y for y in known if years is None or y in years]
    for year in wanted:
        days = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            if day in constants.workdays:
                workday, name = True, HOLIDAY_NAMES.get(str(_label(constants.workdays[day])), "") + "调休"
            elif day in constants.holidays:
                workday, name = False, HOLIDAY_NAMES.get(str(_label(constants.holidays[day])), "")
            else:
                workday, name = day.weekday() < 5, ""
            days.append(CalendarDay(date=day, is_workday=workday, name=name))
            day += dt.timedelta(days=1)
        with transaction.atomic():
            CalendarDay.objects.filter(date__year=year).delete()
            CalendarDay.objects.bulk_create(days)
            CalendarYear.objects.update_or_create(year=year, defaults={"source": "chinese-calendar"})
    refcache.clear()  # bulk_create sends no post_save: the watch on CalendarDay does not see it
    return wanted


def _label(value: object) -> str:
    return str(getattr(value, "value", value))
