"""Working-day arithmetic over the seeded calendar, across holidays and their 调休 make-up days."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.core import refcache, services, workdays
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.core.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=BUSINESS_TZ)


@pytest.fixture(autouse=True)
def _fresh_cache():
    refcache.clear()
    yield
    refcache.clear()


def test_national_day_week_is_skipped_and_the_make_up_saturday_counts():
    # 2026-09-30 (Wed) + 1 working day: Oct 1–7 are holidays, Oct 8 (Thu) is the next working day.
    assert workdays.add_working_days(at(2026, 9, 30), 1) == at(2026, 10, 8)
    # Oct 9 (Fri) + 1 → Oct 10, a Saturday that is a working day (国庆节调休).
    assert workdays.add_working_days(at(2026, 10, 9), 1) == at(2026, 10, 10)
    # A make-up Sunday before the holiday (Sep 20) is a working day too.
    assert workdays.is_workday(dt.date(2026, 9, 20))


def test_spring_festival_with_its_two_make_up_saturdays():
    # Feb 13 (Fri) + 1 → Feb 14, a Saturday working day; then Feb 15–23 are holidays.
    assert workdays.add_working_days(at(2026, 2, 13, 16), 1) == at(2026, 2, 14, 16)
    # Feb 14 + 1 → Feb 24 (Tue), the first working day after the festival.
    assert workdays.add_working_days(at(2026, 2, 14, 9), 1) == at(2026, 2, 24, 9)
    # 4 working days from Feb 24: 25, 26, 27 and the make-up Saturday 28.
    assert workdays.add_working_days(at(2026, 2, 24, 9), 4) == at(2026, 2, 28, 9)


def test_a_call_on_a_holiday_counts_from_the_start_of_the_next_working_day():
    # Called on Oct 3 (holiday): 1 working day = the whole of Oct 8, due at Oct 9 00:00.
    assert workdays.add_working_days(at(2026, 10, 3, 15, 30), 1) == at(2026, 10, 9, 0, 0)


def test_an_unloaded_year_falls_back_to_monday_to_friday_and_is_reported_missing():
    assert workdays.missing_years([2026, 2027]) == [2027]
    # 2027-01-01 is a Friday: without data it is a working day (the fallback), and +1 is Monday Jan 4.
    assert workdays.is_workday(dt.date(2027, 1, 1))
    assert workdays.add_working_days(at(2027, 1, 1), 1) == at(2027, 1, 4)


def test_an_admin_edit_of_a_day_changes_the_arithmetic():
    CalendarYear.objects.update_or_create(year=2027, defaults={"source": "admin"})
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=dt.date(2027, 1, 1) + dt.timedelta(days=i), is_workday=(i % 7) not in (1, 2))
            for i in range(365)
        ]
    )
    CalendarDay.objects.filter(date=dt.date(2027, 1, 4)).update(is_workday=False, name="元旦")
    refcache.clear()
    assert workdays.missing_years([2027]) == []
    assert not workdays.is_workday(dt.date(2027, 1, 4))
    assert workdays.add_working_days(at(2027, 1, 1), 1) == at(2027, 1, 5)


def test_the_chinese_calendar_loader_reloads_a_year_idempotently():
    before = CalendarDay.objects.filter(date__year=2025).count()
    assert services.calendar_load_package([2025]) == [2025]
    assert CalendarDay.objects.filter(date__year=2025).count() == before == 365
    assert CalendarDay.objects.get(date=dt.date(2025, 10, 1)).name == "国庆节"
