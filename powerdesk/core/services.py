"""Writes of the working-day calendar: a year's arrangement imported, ``chinese-calendar``'s years loaded,
and the calendar kept in step with the package and the holiday rule (:func:`calendar_sync`).

Each write takes the calendar's lock (one writer at a time, whoever calls), replaces whole years, and
when the working days of some years changed, calls the ``calendar_changed`` hooks
(:data:`powerdesk.core.workdays.calendar_changed`) with those years, in the same transaction: the SLA app
re-times the clocks that counted on the old days, and commits with the new days or not at all.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection, transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock, holidays, refcache, workdays
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.models import CalendarDay, CalendarYear, HolidayRule

PACKAGE = "chinese-calendar"
# pg_advisory_xact_lock key of the calendar's writers (imports, package loads, syncs): held to the end of
# the writer's transaction, so two never interleave their reads and writes of one year.
LOCK_KEY = 95598_0001

PACKAGE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]


# --- where a year's days come from ----------------------------------------------------------------


def package_source() -> str:
    """How a year loaded from the installed ``chinese-calendar`` is labelled: the name and the release, so
    that a newer release brought by the lock file is told from the one a year was loaded from."""
    return f"{PACKAGE} {importlib.metadata.version(PACKAGE)}"


def package_years() -> list[int]:
    from chinese_calendar import constants

    return sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})


def _package_label(value: object) -> str:
    return PACKAGE_NAMES.get(str(getattr(value, "value", value)), "")


def package_days(year: int) -> list[CalendarDay]:
    """``year`` as ``chinese-calendar`` has it: holidays, the weekend days that are working days (调休)."""
    from chinese_calendar import constants

    days = []
    for day in days_of(year):
        if day in constants.workdays:
            workday, name = True, _package_label(constants.workdays[day]) + "调休"
        elif day in constants.holidays:
            workday, name = False, _package_label(constants.holidays[day])
        else:
            workday, name = day.weekday() < 5, ""
        days.append(CalendarDay(date=day, is_workday=workday, name=name))
    return days


def derived_source(year: int, rules: Iterable[holidays.Rule]) -> str:
    """How a derived year is labelled: the rule, by the newest ``valid_from`` in force that year."""
    in_force = [r.valid_from for r in rules if r.valid_from <= dt.date(year, 12, 31)]
    return f"rule {max(in_force)}" if in_force else "rule"


def derived_days(year: int, rules: Iterable[holidays.Rule]) -> list[CalendarDay] | None:
    """``year`` derived from the holiday rule (:func:`powerdesk.core.holidays.derive`), every day marked
    derived; None when the rule does not cover the year."""
    off = holidays.derive(year, rules)
    if off is None:
        return None
    by_date = {d.date: d for d in off}
    return [
        CalendarDay(
            date=day,
            is_workday=day not in by_date and day.weekday() < 5,
            name=by_date[day].name if day in by_date else "",
            derived=True,
        )
        for day in days_of(year)
    ]


# --- writing years --------------------------------------------------------------------------------


def _lock() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _replace_year(year: int, days: Sequence[CalendarDay], *, origin: str, source: str) -> bool:
    """Store ``days`` as the whole of ``year`` (rows the same as stored are left alone); whether its
    working days changed, a missing year counting as Monday–Friday."""
    stored = CalendarYear.objects.filter(year=year).first()
    old = {
        day: (workday, name, derived)
        for day, workday, name, derived in CalendarDay.objects.filter(date__year=year).values_list(
            "date", "is_workday", "name", "derived"
        )
    }
    new = {d.date: (d.is_workday, d.name, d.derived) for d in days}
    if old != new:
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(days)
    if stored is None or (stored.origin, stored.source) != (origin, source) or old != new:
        CalendarYear.objects.update_or_create(year=year, defaults={"origin": origin, "source": source[:50]})
    before = {day: value[0] for day, value in old.items()} if stored is not None else {}
    return any(before.get(day, day.weekday() < 5) != workday for day, (workday, _n, _d) in new.items())


def _announce(reasons: dict[int, str]) -> workdays.CalendarChange:
    """Tell the apps above which years changed (inside the writer's transaction)."""
    change = workdays.CalendarChange(reasons=dict(reasons))
    if reasons:
        refcache.clear()  # this process counts with the new days from here on (bulk_create sends no signal)
        for hook in workdays.calendar_changed:
            hook(change)
    return change


def _check_whole_years(days_by_year: Mapping[int, Sequence[CalendarDay]]) -> None:
    for year, days in days_by_year.items():
        expected = len(days_of(year))
        dates = {d.date for d in days}
        if len(dates) != expected or len(days) != expected or any(d.year != year for d in dates):
            message = _("%(year)s 年：列出了 %(listed)s 天，需要 %(needed)s 天（每年须完整列出）。") % {
                "year": year,
                "listed": len(days),
                "needed": expected,
            }
            raise ValidationFailed(message)


def calendar_import(
    *, days_by_year: Mapping[int, Sequence[CalendarDay]], source: str, reason: str = workdays.REASON_IMPORTED
) -> workdays.CalendarChange:
    """Import whole years (the State Council's arrangement): each replaces what the year had, derived or
    imported, and the clocks that counted on changed days are re-timed (``calendar_changed``). Returns
    the years whose working days changed."""
    _check_whole_years(days_by_year)
    try:
        with transaction.atomic():
            _lock()
            reasons = {
                year: reason
                for year, days in sorted(days_by_year.items())
                if _replace_year(year, days, origin=workdays.IMPORTED, source=source)
            }
            return _announce(reasons)
    finally:
        refcache.clear()  # a rollback must not leave the uncommitted days in this process's cache


def calendar_load_package(years: Iterable[int] | None = None) -> list[int]:
    """Load every year ``chinese-calendar`` knows (or the given ones), replacing what they had; returns the
    years loaded."""
    wanted = [y for y in package_years() if years is None or y in set(years)]
    calendar_import(
        days_by_year={y: package_days(y) for y in wanted},
        source=package_source(),
        reason=workdays.REASON_PACKAGE,
    )
    return wanted


def calendar_sync(*, today: dt.date | None = None) -> workdays.CalendarChange:
    """Bring the calendar in step with the installed ``chinese-calendar`` and the holiday rule; run at
    start-up, hourly by the worker, and by ``powerdesk calendar --sync``. Cheap when nothing changed.

    1. a year the package knows replaces the same year derived, missing, or loaded from another release
       of the package (a year imported from a file stays: an administrator chose it);
    2. this year and the next, when neither imported nor known to the package, are derived from the rule;
       a derived year is derived again (the rule rows may have changed since);
    3. the years whose working days changed are announced (clocks re-timed), in the same transaction.
    """
    today = today or clock.local_date()
    try:
        with transaction.atomic():
            _lock()
            stored = {
                year: (origin, source)
                for year, origin, source in CalendarYear.objects.values_list("year", "origin", "source")
            }
            known = package_years()
            reasons = _sync_package(stored, known)
            window = {today.year, today.year + 1}
            to_derive = {y for y in window if y not in stored}
            to_derive |= {y for y, (origin, _source) in stored.items() if origin == workdays.DERIVED}
            reasons.update(_sync_derived(to_derive - set(known)))
            return _announce(reasons)
    finally:
        refcache.clear()


def _sync_package(stored: Mapping[int, tuple[str, str]], known: Iterable[int]) -> dict[int, str]:
    """Step 1: the years the installed package knows, where they are not imported from a file and were not
    loaded from this release; the ones whose working days changed."""
    source = package_source()
    reasons = {}
    for year in known:
        origin, previous = stored.get(year, (workdays.MISSING, ""))
        if origin == workdays.IMPORTED and not previous.startswith(PACKAGE):
            continue  # imported from a file: an administrator chose it
        if previous == source:
            continue
        if _replace_year(year, package_days(year), origin=workdays.IMPORTED, source=source):
            reasons[year] = workdays.REASON_PACKAGE
    return reasons


def _sync_derived(years: Iterable[int]) -> dict[int, str]:
    """Step 2: ``years`` derived from the rule rows as they are now; the ones whose working days changed."""
    rules = list(HolidayRule.objects.all())
    reasons = {}
    for year in sorted(years):
        days = derived_days(year, rules)
        if days is None:  # the rule does not cover it: the year stays as it is
            continue
        if _replace_year(year, days, origin=workdays.DERIVED, source=derived_source(year, rules)):
            reasons[year] = workdays.REASON_DERIVED
    return reasons
