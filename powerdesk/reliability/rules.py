"""The reliability indices as pure functions: no database. The selectors read the interruption records
in bulk (counted in SQL, nothing more) and hand them here; the page, the API and the tests call these.

Two standards, computed apart and never mixed:

* **DL/T 836** (China): 用户平均停电时间 AIHC-1 = Σ(停电持续时间 × 停电用户数) / 总用户数 (hours);
  供电可靠率 RS-1 = (1 − AIHC-1 / 统计期小时数) × 100 %; RS-3 the same without the interruptions caused by
  rationing for lack of generation (cause 系统电源不足; 电网限电 stays in); 用户平均停电次数 AITC-1 =
  Σ停电用户数 / 总用户数. Planned (预安排) outages are included. An interruption of at most the cut-off
  (3 min) is a short interruption and is not counted. The user is a 10 kV user (each public transformer
  and each dedicated customer) or a low-voltage user (each customer's meter), stated with the figures.
* **IEEE 1366**: SAIDI = Σ(minutes × customers interrupted) / customers served; SAIFI = Σ customers
  interrupted / customers served; CAIDI = SAIDI / SAIFI; ASAI = (1 − SAIDI / minutes in the period)
  × 100 %. Only sustained interruptions (longer than the 5-minute cut-off) count; planned interruptions
  and the interruptions that begin on a Major Event Day are excluded.

**Major Event Days (the 2.5 β method).** Daily SAIDI (the IEEE rules above, MED not yet excluded) is
taken for each day of the history (the years before the period, as many as exist up to the setting);
days with a SAIDI of zero are left out because their logarithm is undefined. With α the mean and β the
sample standard deviation of the natural logarithms of the remaining days, T_MED = exp(α + 2.5 β); a day
of the period whose SAIDI exceeds T_MED is a Major Event Day. Fewer than two non-zero days give no
threshold, and then no day is a Major Event Day. The daily SAIDI of past days divides by the customers
served today (no history of customer counts is kept).

An interruption belongs to the day (Asia/Shanghai) on which it begins and counts whole for that day's
month and period; the selectors pass only restored ones (an interruption still going on has no duration
yet).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

# Outage kinds (outages.OutageKind values) that are prearranged (预安排停电): announced in advance. IEEE
# 1366 leaves them out as planned interruptions; DL/T 836 counts them.
PREARRANGED_KINDS = frozenset({"planned", "temporary"})
# A disconnection for arrears is the customer's doing, not an interruption of supply: in neither standard.
NOT_SUPPLY_KINDS = frozenset({"arrears"})
# RS-3 leaves out rationing for lack of generation (outages.OutageCause.SUPPLY_SHORTAGE, 系统电源不足);
# limits imposed by the grid (电网限电) are the grid's and stay in.
RS3_EXCLUDED_CAUSES = frozenset({"supply_shortage"})

ONE_DAY = dt.timedelta(days=1)

LV = "lv"  # low voltage: each customer's meter is a user
MV = "10kv"  # 10 kV: each public transformer and each dedicated customer is a user


@dataclass(frozen=True)
class Interruption:
    """Users interrupted together: by one outage, from ``start`` to ``end`` (``users`` of them)."""

    outage: int
    kind: str
    cause: str
    day: dt.date  # the business day of ``start``
    start: dt.datetime
    end: dt.datetime
    users: int = 1

    @property
    def seconds(self) -> float:
        return max((self.end - self.start).total_seconds(), 0.0)


@dataclass(frozen=True)
class UserInterruption:
    """One user's share of an outage as recorded: a 10 kV user is a transformer or a dedicated customer
    whose customers' records may differ (restored in steps)."""

    outage: int
    user: Hashable
    kind: str
    cause: str
    day: dt.date
    start: dt.datetime
    end: dt.datetime


def per_user(rows: Iterable[UserInterruption]) -> list[Interruption]:
    """One interruption per user and outage: a 10 kV user is out from the first of its customers'
    interruptions to the last restoration (its day: that of the first)."""
    first: dict[tuple[int, Hashable], UserInterruption] = {}
    last_end: dict[tuple[int, Hashable], dt.datetime] = {}
    for row in rows:
        key = (row.outage, row.user)
        if key not in first or row.start < first[key].start:
            first[key] = row
        if key not in last_end or row.end > last_end[key]:
            last_end[key] = row.end
    return [
        Interruption(r.outage, r.kind, r.cause, r.day, r.start, last_end[key], 1) for key, r in first.items()
    ]


def mv_user(transformer: int, dedicated_customer: int | None) -> Hashable:
    """Who the 10 kV user is: the customer of a dedicated transformer (专变), else the public transformer."""
    return (
        ("customer", dedicated_customer) if dedicated_customer is not None else ("transformer", transformer)
    )


def counts_dlt836(item: Interruption, cutoff_seconds: float) -> bool:
    """DL/T 836: a supply interruption longer than the short-interruption cut-off, planned included."""
    return item.kind not in NOT_SUPPLY_KINDS and item.seconds > cutoff_seconds


def counts_ieee1366(item: Interruption, cutoff_seconds: float) -> bool:
    """IEEE 1366 (before Major Event Days): sustained (longer than the momentary cut-off), unplanned."""
    return (
        item.kind not in NOT_SUPPLY_KINDS
        and item.kind not in PREARRANGED_KINDS
        and item.seconds > cutoff_seconds
    )


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Dlt836:
    """The DL/T 836 figures with their terms (the page shows each formula with these numbers)."""

    user_unit: str
    users: int  # 总用户数
    user_hours: float  # Σ(停电持续时间 h × 停电用户数)
    user_hours_rs3: float  # the same without rationing for lack of generation
    interrupted_users: int  # Σ停电用户数 (user-interruptions)
    period_hours: float

    @property
    def aihc1(self) -> float | None:
        return _ratio(self.user_hours, self.users)

    @property
    def aihc3(self) -> float | None:
        return _ratio(self.user_hours_rs3, self.users)

    @property
    def rs1(self) -> float | None:
        return _reliability(self.aihc1, self.period_hours)

    @property
    def rs3(self) -> float | None:
        return _reliability(self.aihc3, self.period_hours)

    @property
    def aitc1(self) -> float | None:
        return _ratio(self.interrupted_users, self.users)


def _reliability(average_hours: float | None, period_hours: float) -> float | None:
    if average_hours is None or not period_hours:
        return None
    return (1 - average_hours / period_hours) * 100


def dlt836(
    items: Iterable[Interruption], *, users: int, period_hours: float, cutoff_seconds: float, user_unit: str
) -> Dlt836:
    counted = [i for i in items if counts_dlt836(i, cutoff_seconds)]
    return Dlt836(
        user_unit=user_unit,
        users=users,
        user_hours=sum(i.seconds / 3600 * i.users for i in counted),
        user_hours_rs3=sum(i.seconds / 3600 * i.users for i in counted if i.cause not in RS3_EXCLUDED_CAUSES),
        interrupted_users=sum(i.users for i in counted),
        period_hours=period_hours,
    )


@dataclass(frozen=True)
class Ieee1366:
    customers: int  # customers served
    customer_minutes: float  # Σ(minutes × customers interrupted)
    customers_interrupted: int  # Σ customers interrupted
    period_hours: float
    major_event_days: tuple[dt.date, ...]  # in the period, excluded

    @property
    def saidi(self) -> float | None:
        return _ratio(self.customer_minutes, self.customers)

    @property
    def saifi(self) -> float | None:
        return _ratio(self.customers_interrupted, self.customers)

    @property
    def caidi(self) -> float | None:
        saidi, saifi = self.saidi, self.saifi
        return saidi / saifi if saidi is not None and saifi else None

    @property
    def asai(self) -> float | None:
        if self.saidi is None or not self.period_hours:
            return None
        return (1 - self.saidi / (self.period_hours * 60)) * 100


def ieee1366(
    items: Iterable[Interruption],
    *,
    customers: int,
    period_hours: float,
    cutoff_seconds: float,
    major_event_days: Iterable[dt.date] = (),
) -> Ieee1366:
    meds = frozenset(major_event_days)
    counted = [i for i in items if counts_ieee1366(i, cutoff_seconds) and i.day not in meds]
    return Ieee1366(
        customers=customers,
        customer_minutes=sum(i.seconds / 60 * i.users for i in counted),
        customers_interrupted=sum(i.users for i in counted),
        period_hours=period_hours,
        major_event_days=tuple(sorted(meds)),
    )


def daily_saidi(
    items: Iterable[Interruption], *, customers: int, cutoff_seconds: float
) -> dict[dt.date, float]:
    """SAIDI (minutes) of each day with a sustained unplanned interruption, Major Event Days not excluded."""
    minutes: dict[dt.date, float] = defaultdict(float)
    if not customers:
        return {}
    for item in items:
        if counts_ieee1366(item, cutoff_seconds):
            minutes[item.day] += item.seconds / 60 * item.users
    return {day: total / customers for day, total in minutes.items()}


@dataclass(frozen=True)
class MedThreshold:
    """T_MED and how it was found: the days fitted (non-zero), α and β of their logarithms."""

    value: float | None
    days: int
    alpha: float | None
    beta: float | None
    multiplier: float


def med_threshold(daily: Iterable[float], multiplier: float) -> MedThreshold:
    """T_MED = exp(α + multiplier × β) over the natural logarithms of the non-zero daily SAIDI values
    (α the mean, β the sample standard deviation). Fewer than two non-zero days: no threshold."""
    logs = [math.log(v) for v in daily if v > 0]
    if len(logs) < 2:
        return MedThreshold(None, len(logs), None, None, multiplier)
    alpha = statistics.fmean(logs)
    beta = statistics.stdev(logs)
    return MedThreshold(math.exp(alpha + multiplier * beta), len(logs), alpha, beta, multiplier)


def major_event_days(daily: dict[dt.date, float], threshold: float | None) -> list[dt.date]:
    """The days whose SAIDI exceeds T_MED (none without a threshold)."""
    if threshold is None:
        return []
    return sorted(day for day, value in daily.items() if value > threshold)


def period_hours(first: dt.date, last: dt.date) -> float:
    """Hours from the start of ``first`` to the end of ``last`` (Beijing time keeps no summer time)."""
    return ((last - first).days + 1) * 24.0


def months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar months of the period, each cut to the period: [(first day, last day), …]."""
    spans: list[tuple[dt.date, dt.date]] = []
    day = first
    while day <= last:
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        spans.append((day, min(end, last)))
        day = end + dt.timedelta(days=1)
    return spans


def within(items: Iterable[Interruption], first: dt.date, last: dt.date) -> list[Interruption]:
    return [i for i in items if first <= i.day <= last]


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
