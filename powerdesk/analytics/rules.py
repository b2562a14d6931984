"""The analytics rules as pure functions: what an order counts as (its fact row), the Poisson test and
the Benjamini–Hochberg correction of the hot spots, and the 千户投诉率 base. No database here."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from scipy.special import gammainc

from powerdesk.core import clock
from powerdesk.workorders.choices import BusinessType, Status

# 优质服务评价指数 (DOMAIN §4): events on which the customer called this many times or more …
INDEX_CALLS = 3
# … over the business volume without these types (and without the consultations answered at once).
INDEX_EXCLUDED_TYPES = frozenset({BusinessType.REPAIR, BusinessType.PRAISE})


def fact_row(
    order: dict[str, Any],
    *,
    customer_type: str,
    answered_first: bool,
    malicious: bool,
    verdict: str,
    groups: Sequence[int],
) -> dict[str, Any]:
    """The fact row of one order (``order``: the WorkOrder's values by attname)."""
    local = order["created_at"].astimezone(clock.BUSINESS_TZ)
    closed = order["status"] == Status.ARCHIVED
    reopened = order["reopen_count"] > 0
    business_type = order["business_type"]
    in_index = (
        business_type not in INDEX_EXCLUDED_TYPES
        and not (business_type == BusinessType.CONSULTATION and answered_first)
        and not malicious
    )
    return {
        "order_id": order["id"],
        "unit_id": order["unit_id"],
        "area_id": order["area_id"],
        "business_type": business_type,
        "topic_id": order["topic_id"],
        "sub_type_id": order["sub_type_id"],
        "channel": order["channel"],
        "customer_type": customer_type or "",
        "accepted_at": order["created_at"],
        "day": local.date(),
        "hour": local.hour,
        "closed_at": order["closed_at"],
        "contacts": order["contact_count"],
        "reopened": reopened,
        "closed": closed,
        "answered_first": answered_first,
        "first_contact_resolved": closed and order["contact_count"] == 1 and not reopened,
        "index_counted": in_index,
        "malicious": malicious,
        "verdict": verdict or "",
        "satisfaction": order["satisfaction"] or "",
        "called_back": order["called_back_at"] is not None,
        "groups": sorted(groups),
    }


def groups_of(
    sub_type_id: int | None, description: str, groups: Iterable[tuple[int, frozenset[int], Sequence[str]]]
) -> list[int]:
    """The hot-spot groups an order belongs to: its sub-type is one of the group's, or its description
    contains one of the group's keywords."""
    return [
        gid
        for gid, sub_types, keywords in groups
        if (sub_type_id is not None and sub_type_id in sub_types) or any(k in description for k in keywords)
    ]


def quality_index(repeat: int, base: int) -> float | None:
    """优质服务评价指数 = 1 − events called about ≥ INDEX_CALLS times ÷ the business volume in the base."""
    return 1 - repeat / base if base else None


def customer_months(counts: dict[dt.date, int], first: dt.date, last: dt.date) -> float:
    """Σ over the months the period touches of the month's customers × the share of that month's days
    inside the period: the denominator of 千户投诉率 (complaints per 1,000 customers per month).
    ``counts`` maps each month's first day to its customers; a month without a snapshot counts none."""
    total = 0.0
    month = first.replace(day=1)
    while month <= last:
        days_in = calendar.monthrange(month.year, month.month)[1]
        month_last = month.replace(day=days_in)
        overlap = (min(last, month_last) - max(first, month)).days + 1
        total += counts.get(month, 0) * overlap / days_in
        month = month_last + dt.timedelta(days=1)
    return total


def per_thousand(complaints: int, customer_months_: float) -> float | None:
    return round(1000 * complaints / customer_months_, 3) if customer_months_ else None


def month_after(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def day_runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """The days as runs of consecutive days, (first, last) each, in order: a read per run covers those
    days and no day between two runs (the upkeep's changed days are often a few days years apart)."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def poisson_upper_tail(k: int, mu: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mu), exactly: the regularized lower incomplete gamma function P(k, mu)
    (SciPy's ``gammainc``, computed directly rather than as 1 − the lower tail, so a tail far out keeps
    its precision). Summing the terms in Python cost a quarter's hot spots ~1.5 s at ten million orders:
    a unit's cell counts tens of thousands of orders."""
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    return float(min(1.0, max(0.0, gammainc(k, mu))))


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """The Benjamini–Hochberg adjusted p-values (q-values), in the input's order."""
    n = len(p_values)
    order = sorted(range(n), key=lambda i: p_values[i])
    adjusted = [0.0] * n
    running = 1.0
    for rank in range(n, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * n / rank)
        adjusted[i] = running
    return adjusted
