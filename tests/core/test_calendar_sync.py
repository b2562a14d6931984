"""Keeping the calendar in step: years derived from the holiday rule until their arrangement is imported,
from a file or from a newer chinese-calendar release, and the apps above told which years changed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from powerdesk.core import refcache, services, workdays
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.extensions import Entry
from powerdesk.core.models import CalendarDay, CalendarYear, HolidayRule
from tests.sla.helpers import T0

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _fresh_cache():
    refcache.clear()
    yield
    refcache.clear()


@pytest.fixture
def heard(monkeypatch):
    """The calendar changes announced, and whether each came inside the writer's transaction."""
    changes = []

    def hook(change):
        changes.append((change, connection.in_atomic_block))

    monkeypatch.setitem(workdays.calendar_changed._entries, "test.hook", Entry("test", "test.hook", hook))
    return changes


def sync(at=T0):
    with time_machine.travel(at, tick=False):
        return services.calendar_sync()


def arrangement_2027(*bridging_workdays):
    """2027 as the State Council might publish it: the derived days, with weekend days that are working
    days (调休)."""
    days = services.derived_days(2027, HolidayRule.objects.all())
    return [
        CalendarDay(date=d.date, is_workday=d.is_workday or d.date in bridging_workdays, name=d.name)
        for d in days
    ]


def test_the_first_sync_derives_next_year_when_it_is_not_imported(heard):
    change = sync()
    assert change.reasons == {2027: workdays.REASON_DERIVED}
    assert workdays.year_statuses([2026, 2027, 2028]) == {2026: "imported", 2027: "derived", 2028: "missing"}
    assert CalendarYear.objects.get(year=2027).source == "rule 2025-01-01"
    assert [c.reasons for c, _in_transaction in heard] == [{2027: "derived"}]


def test_derived_days_are_marked_derived_and_named_by_their_festival():
    sync()
    day = CalendarDay.objects.get
    assert (day(date=D(2027, 1, 1)).is_workday, day(date=D(2027, 1, 1)).name) == (False, "元旦")
    assert (day(date=D(2027, 2, 10)).is_workday, day(date=D(2027, 2, 10)).name) == (False, "春节补假")
    assert day(date=D(2027, 2, 11)).is_workday and day(date=D(2027, 2, 11)).name == ""
    assert not day(date=D(2027, 2, 13)).is_workday  # a Saturday: no 调休 is known yet
    assert set(CalendarDay.objects.filter(date__year=2027).values_list("derived", flat=True)) == {True}
    assert not workdays.is_workday(D(2027, 10, 5))


def test_a_second_sync_changes_nothing(heard):
    sync()
    assert sync().reasons == {}
    assert len(heard) == 1


def test_the_first_sync_labels_the_package_years_with_the_release_without_announcing_them(heard):
    sync()
    assert CalendarYear.objects.get(year=2026).source == services.package_source()
    assert [c.years for c, _t in heard] == [[2027]]


def test_a_newer_chinese_calendar_release_replaces_the_derived_year(heard, monkeypatch):
    sync()
    official = arrangement_2027(D(2027, 2, 13))  # a 调休 Saturday
    known = services.package_years()
    monkeypatch.setattr(services, "package_source", lambda: "chinese-calendar 1.12.0")
    monkeypatch.setattr(services, "package_years", lambda: [*known, 2027])
    real_days = services.package_days
    monkeypatch.setattr(services, "package_days", lambda y: official if y == 2027 else real_days(y))
    change = sync()
    assert change.reasons == {2027: workdays.REASON_PACKAGE}  # 2004–2026 are the same in the new release
    assert workdays.year_status(2027) == "imported" and workdays.is_workday(D(2027, 2, 13))
    assert not CalendarDay.objects.get(date=D(2027, 2, 13)).derived
    assert heard[-1][0].reasons == {2027: "package"}


def test_a_year_imported_from_a_file_stays_when_the_package_learns_it(monkeypatch):
    services.calendar_import(days_by_year={2027: arrangement_2027(D(2027, 2, 13))}, source="import:2027.csv")
    known = services.package_years()
    monkeypatch.setattr(services, "package_years", lambda: [*known, 2027])
    real_days = services.package_days
    monkeypatch.setattr(services, "package_days", lambda y: arrangement_2027() if y == 2027 else real_days(y))
    assert sync().reasons == {}
    assert CalendarYear.objects.get(year=2027).source == "import:2027.csv"


def test_an_import_replaces_the_derived_year_and_announces_it_in_its_transaction(heard):
    sync()
    change = services.calendar_import(
        days_by_year={2027: arrangement_2027(D(2027, 2, 13))}, source="import:2027.csv"
    )
    assert change.reasons == {2027: workdays.REASON_IMPORTED}
    assert heard[-1] == (change, True)
    assert workdays.year_status(2027) == "imported" and workdays.is_workday(D(2027, 2, 13))


def test_an_import_that_changes_no_working_day_announces_nothing(heard):
    sync()
    services.calendar_import(days_by_year={2027: arrangement_2027()}, source="import:2027.csv")
    assert [c.reasons for c, _t in heard] == [{2027: "derived"}]
    assert workdays.year_status(2027) == "imported"


def test_an_import_of_an_incomplete_year_is_refused():
    days = arrangement_2027()[:-1]
    with pytest.raises(ValidationFailed, match="364"):
        services.calendar_import(days_by_year={2027: days}, source="import:short.csv")
    assert workdays.year_status(2027) == "missing"


def test_a_changed_holiday_rule_derives_the_derived_years_again(heard):
    sync()
    HolidayRule.objects.create(festival="national_day", days=4, first_day_offset=0, valid_from=D(2027, 1, 1))
    assert sync().reasons == {2027: workdays.REASON_DERIVED}
    assert not workdays.is_workday(D(2027, 10, 6))  # 1–4 Oct statutory, the weekend's two made up on 5–6 Oct


def test_on_new_years_day_the_year_after_is_derived():
    sync()
    assert sync(dt.datetime(2027, 1, 1, 0, 30, tzinfo=T0.tzinfo)).reasons == {2028: "derived"}
    assert workdays.year_statuses([2027, 2028]) == {2027: "derived", 2028: "derived"}


def test_year_status_is_the_calendars_readiness():
    sync()
    assert workdays.year_status(2026) == "imported"
    assert workdays.year_status(2027) == "derived"  # loaded: statutory holidays right, bridging unknown
    assert workdays.year_status(2031) == "missing"
    assert workdays.missing_years([2026, 2027, 2031]) == [2031]
