"""A year's statutory holidays derived from the rule, for the years no arrangement is published for yet.

全国年节及纪念日放假办法 says how many days each festival gives all citizens, and that such a day falling on
a Saturday or Sunday is made up on a working day (补假). Only the bridging (调休: which weekend days become
working days, how the holidays are joined into blocks) is decided each autumn by the State Council. So
every year's days off can be computed with the lunar calendar and the solar terms, and the calendar uses
them (marked "derived") until the year's arrangement is imported.

Pure functions of (year, the rule rows); the rule rows are data (:class:`powerdesk.core.models.HolidayRule`:
per festival the number of days, the first day's offset from the festival's own day, and the date from
which the row is valid), so an amendment of the rule is a new row, not new code. What a festival's own
day is, is the festival's definition, below (:func:`festival_date`).

Steps of :func:`derive`:

1. for each festival, its day in the year (元旦 1 January, 春节 正月初一, 清明 the solar term, 劳动节
   1 May, 端午 五月初五, 中秋 八月十五, 国庆 1 October) and the rule row in force on that day (the
   newest ``valid_from`` not after it); a festival without a row leaves the year underivable;
2. the row's days from the day plus its offset (春节 from 除夕, the day before 正月初一: offset -1);
3. 补假, festival by festival in date order: each statutory day on a weekend (or on a day another
   festival already took) moves a day off to the next Monday–Friday after the festival's days that is
   not a day off already.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _
from lunar_python import Lunar, Solar


class Festival(models.TextChoices):
    NEW_YEAR = "new_year", _("元旦")
    SPRING_FESTIVAL = "spring_festival", _("春节")
    QINGMING = "qingming", _("清明节")
    LABOUR_DAY = "labour_day", _("劳动节")
    DRAGON_BOAT = "dragon_boat", _("端午节")
    MID_AUTUMN = "mid_autumn", _("中秋节")
    NATIONAL_DAY = "national_day", _("国庆节")


# The names written into the calendar table: data, in Chinese like the imported years' (not translated).
DAY_NAMES = {
    Festival.NEW_YEAR: "元旦",
    Festival.SPRING_FESTIVAL: "春节",
    Festival.QINGMING: "清明节",
    Festival.LABOUR_DAY: "劳动节",
    Festival.DRAGON_BOAT: "端午节",
    Festival.MID_AUTUMN: "中秋节",
    Festival.NATIONAL_DAY: "国庆节",
}
IN_LIEU_SUFFIX = "补假"


class Rule(Protocol):
    """What of a rule row the derivation reads (a ``HolidayRule`` row has these)."""

    festival: str
    days: int
    first_day_offset: int
    valid_from: dt.date


@dataclass(frozen=True)
class DayOff:
    date: dt.date
    festival: str
    in_lieu: bool  # 补假: made up for a statutory day on a weekend

    @property
    def name(self) -> str:
        return DAY_NAMES[Festival(self.festival)] + (IN_LIEU_SUFFIX if self.in_lieu else "")


def _lunar(year: int, month: int, day: int) -> dt.date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> dt.date:
    # The solar terms of the lunar year that 1 April falls in: 清明 of the same Gregorian year among them.
    solar = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def festival_date(festival: str, year: int) -> dt.date:
    """The festival's own day in ``year`` (春节: 正月初一; the rule's offset says where its days start)."""
    match Festival(festival):
        case Festival.NEW_YEAR:
            return dt.date(year, 1, 1)
        case Festival.SPRING_FESTIVAL:
            return _lunar(year, 1, 1)
        case Festival.QINGMING:
            return _qingming(year)
        case Festival.LABOUR_DAY:
            return dt.date(year, 5, 1)
        case Festival.DRAGON_BOAT:
            return _lunar(year, 5, 5)
        case Festival.MID_AUTUMN:
            return _lunar(year, 8, 15)
        case Festival.NATIONAL_DAY:
            return dt.date(year, 10, 1)
    raise ValueError(festival)  # pragma: no cover - every member is matched


def rule_for(festival: str, day: dt.date, rules: Iterable[Rule]) -> Rule | None:
    """The row of ``festival`` in force on ``day``: the newest ``valid_from`` not after it."""
    valid = [r for r in rules if r.festival == festival and r.valid_from <= day]
    return max(valid, key=lambda r: r.valid_from, default=None)


def statutory_days(year: int, rules: Iterable[Rule]) -> dict[str, list[dt.date]] | None:
    """Each festival's statutory days in ``year`` (steps 1–2), or None when a festival has no rule row in
    force (a year before the oldest row)."""
    rules = list(rules)
    days: dict[str, list[dt.date]] = {}
    for festival in Festival:
        anchor = festival_date(festival, year)
        rule = rule_for(festival, anchor, rules)
        if rule is None:
            return None
        first = anchor + dt.timedelta(days=rule.first_day_offset)
        days[festival.value] = [first + dt.timedelta(days=i) for i in range(rule.days)]
    return days


def is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def derive(year: int, rules: Iterable[Rule]) -> list[DayOff] | None:
    """The days off of ``year`` by the rule, in date order: the statutory days and the 补假 days (see the
    module doc); every other day is a working day from Monday to Friday. None when the year is not
    derivable (:func:`statutory_days`)."""
    by_festival = statutory_days(year, rules)
    if by_festival is None:
        return None
    off: dict[dt.date, DayOff] = {}
    for festival, days in by_festival.items():
        for day in days:
            off.setdefault(day, DayOff(day, festival, in_lieu=False))
    taken: set[dt.date] = set()
    for festival, days in sorted(by_festival.items(), key=lambda item: min(item[1], default=dt.date.max)):
        missed = sum(1 for day in days if is_weekend(day) or day in taken)
        taken.update(days)
        day = max(days, default=dt.date(year, 1, 1))
        while missed:
            day += dt.timedelta(days=1)
            if not is_weekend(day) and day not in off:
                off[day] = DayOff(day, festival, in_lieu=True)
                missed -= 1
    return [off[day] for day in sorted(off) if day.year == year]
