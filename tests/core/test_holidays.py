"""The statutory holidays derived from the rule (全国年节及纪念日放假办法): pure functions of the year and the
rule rows, here the seeded rows (the amendment in force from 2025 and the one before it)."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st
from lunar_python import Lunar, Solar

from powerdesk.core import holidays
from powerdesk.core.holidays import Festival

SEED = importlib.import_module("powerdesk.core.migrations.0004_seed_holiday_rules")


@dataclass(frozen=True)
class Rule:
    festival: str
    days: int
    first_day_offset: int
    valid_from: dt.date


SEEDED = [Rule(f, days, offset, valid_from) for (valid_from, _src), f, days, offset in SEED.ROWS]
D = dt.date


def derived(year, rules=SEEDED):
    return holidays.derive(year, rules)


def statutory(year, rules=SEEDED):
    return [d.date for d in derived(year, rules) if not d.in_lieu]


def in_lieu(year, rules=SEEDED):
    return [d.date for d in derived(year, rules) if d.in_lieu]


def test_2027s_statutory_days_follow_the_2025_rule():
    assert statutory(2027) == [
        D(2027, 1, 1),
        *(D(2027, 2, day) for day in (5, 6, 7, 8)),  # 除夕 is 5 Feb: 腊月 has 29 days that year
        D(2027, 4, 5),
        D(2027, 5, 1),
        D(2027, 5, 2),
        D(2027, 6, 9),
        D(2027, 9, 15),
        *(D(2027, 10, day) for day in (1, 2, 3)),
    ]


def test_2027s_statutory_days_on_a_weekend_are_made_up_on_the_following_working_days():
    # 6–7 Feb, 1–2 May and 2–3 Oct fall on weekends.
    assert in_lieu(2027) == [
        D(2027, 2, 9),
        D(2027, 2, 10),
        D(2027, 5, 3),
        D(2027, 5, 4),
        D(2027, 10, 4),
        D(2027, 10, 5),
    ]
    names = {d.date: d.name for d in derived(2027)}
    assert names[D(2027, 2, 9)] == "春节补假" and names[D(2027, 2, 5)] == "春节"


def test_new_year_on_a_saturday_is_made_up_on_the_monday():
    assert D(2028, 1, 1).weekday() == 5
    assert statutory(2028)[0] == D(2028, 1, 1) and in_lieu(2028)[0] == D(2028, 1, 3)


def test_the_2014_rule_gives_the_spring_festival_from_new_years_day_and_one_labour_day():
    days = holidays.statutory_days(2024, SEEDED)
    assert days is not None
    assert days[Festival.SPRING_FESTIVAL] == [D(2024, 2, 10), D(2024, 2, 11), D(2024, 2, 12)]
    assert days[Festival.LABOUR_DAY] == [D(2024, 5, 1)]


def test_a_year_before_the_oldest_rule_row_is_not_derivable():
    assert derived(2013) is None


def test_an_amendment_is_a_new_row_from_its_valid_from():
    amended = [*SEEDED, Rule(Festival.NATIONAL_DAY, 5, 0, D(2030, 1, 1))]
    national_day = {y: holidays.statutory_days(y, amended)[Festival.NATIONAL_DAY] for y in (2029, 2030)}
    assert national_day[2029] == [D(2029, 10, d) for d in (1, 2, 3)]
    assert national_day[2030] == [D(2030, 10, d) for d in range(1, 6)]


def test_every_derived_statutory_day_of_2020_to_2026_is_a_holiday_in_chinese_calendar():
    for year in range(2020, 2027):
        assert [day for day in statutory(year) if day not in constants.holidays] == [], year


def _weekday_holidays(days):
    return sum(1 for day in days if day.weekday() < 5)


# Per year: weekdays off derived from the rule; chinese-calendar's (the State Council's) weekdays off, and
# those less its weekend working days (调休). The bridging adds five to eight weekdays off and takes as
# many weekend days back; 2020's arrangement added two (the Spring Festival extended for the epidemic).
WEEKDAY_HOLIDAYS = {
    2020: (11, 19, 13),
    2021: (11, 18, 11),
    2022: (11, 18, 11),
    2023: (11, 18, 11),
    2024: (11, 19, 11),
    2025: (13, 18, 13),
    2026: (13, 19, 13),
}


def test_weekday_holidays_per_year_derived_beside_the_official_count():
    found = {}
    for year in WEEKDAY_HOLIDAYS:
        official = [day for day in constants.holidays if day.year == year]
        weekend_workdays = [day for day in constants.workdays if day.year == year and day.weekday() >= 5]
        found[year] = (
            _weekday_holidays(d.date for d in derived(year)),
            _weekday_holidays(official),
            _weekday_holidays(official) - len(weekend_workdays),
        )
    assert found == WEEKDAY_HOLIDAYS


def test_qingming_is_chinese_calendars_solar_term():
    from chinese_calendar import get_solar_terms

    for year in (2027, 2030, 2050, 2099):
        [(term, _name)] = [t for t in get_solar_terms(D(year, 4, 1), D(year, 4, 30)) if t[1] == "清明"]
        assert holidays.festival_date(Festival.QINGMING, year) == term


years_2014_rule = st.integers(min_value=2014, max_value=2024)
years_2025_rule = st.integers(min_value=2025, max_value=2200)


@settings(max_examples=40, deadline=None)
@given(st.one_of(years_2014_rule, years_2025_rule))
def test_each_statutory_day_is_one_weekday_off_whatever_day_it_falls_on(year):
    """补假: a statutory day on a weekend (or on another festival's day) moves one day off to a weekday."""
    days = derived(year)
    total = sum(len(d) for d in holidays.statutory_days(year, SEEDED).values())
    assert total == (11 if year < 2025 else 13)
    assert _weekday_holidays(d.date for d in days) == total
    assert len({d.date for d in days}) == len(days) and all(d.date.year == year for d in days)


@settings(max_examples=40, deadline=None)
@given(years_2025_rule)
def test_a_made_up_day_is_the_next_free_weekday_after_its_festival(year):
    days = derived(year)
    off = {d.date for d in days}
    for festival, statutory_days in holidays.statutory_days(year, SEEDED).items():
        made_up = sorted(d.date for d in days if d.in_lieu and d.festival == festival)
        free = [
            day
            for day in (max(statutory_days) + dt.timedelta(days=i) for i in range(1, 15))
            if day.weekday() < 5 and (day not in off or day in made_up)
        ]
        assert made_up == free[: len(made_up)]


@settings(max_examples=40, deadline=None)
@given(years_2025_rule)
def test_the_spring_festival_starts_on_the_last_day_of_the_twelfth_lunar_month(year):
    first = holidays.statutory_days(year, SEEDED)[Festival.SPRING_FESTIVAL][0]
    lunar = Solar.fromYmd(first.year, first.month, first.day).getLunar()
    assert (lunar.getMonth(), lunar.getDay()) in ((12, 29), (12, 30))
    next_day = Solar.fromYmd(first.year, first.month, first.day).next(1).getLunar()
    assert (next_day.getMonth(), next_day.getDay()) == (1, 1)


def test_the_lunar_library_gives_the_known_festival_days():
    def solar(y, m, d):
        s = Lunar.fromYmd(y, m, d).getSolar()
        return D(s.getYear(), s.getMonth(), s.getDay())

    assert solar(2026, 1, 1) == D(2026, 2, 17)
    assert solar(2027, 1, 1) == D(2027, 2, 6)
    assert solar(2027, 8, 15) == D(2027, 9, 15)
    for year in range(2004, 2027):  # every 春节 chinese-calendar knows is a holiday
        assert holidays.festival_date(Festival.SPRING_FESTIVAL, year) in constants.holidays
