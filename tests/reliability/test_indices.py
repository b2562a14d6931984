"""The figures of the scenario in conftest.py, worked out by hand, for the east station in June 2026
(30 days = 720 hours). Customers in scope: a–f (6); 10 kV users: T1, T2 and the dedicated customer f (3).
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from powerdesk.reliability import rules
from powerdesk.reliability.selectors import reliability_report

pytestmark = pytest.mark.django_db

JUNE = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))


def close(value: float | None, expected: float) -> bool:
    return value is not None and math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-9)


def test_dlt836_low_voltage_counts_planned_and_short_over_3_minutes(scenario, users, county):
    """DL/T 836, low voltage (each customer a user, 6 users), cut-off 3 min, planned included:

    O1 (2 min) is a short interruption: not counted. O7 was rejected, O8 is in the west: not in scope.
    Σ user-hours: O2 4 min × 2 = 2/15 = 0.133333; O3 4 h × 6 = 24; O4 2 h × 3 = 6;
    O5 6 h × 2 + 4 h × 2 + 3 h × 1 = 23; O6 1 h × 1 = 1 → 54.133333.
    AIHC-1 = 54.133333 / 6 = 9.022222 h; RS-1 = (1 − 9.022222 / 720) × 100 = 98.746914 %.
    RS-3 leaves out O4 (系统电源不足): 48.133333 / 6 = 8.022222 h → (1 − 8.022222 / 720) × 100 = 98.885802 %.
    Interruptions: 2 + 6 + 3 + 5 + 1 = 17 → AITC-1 = 17 / 6 = 2.833333.
    """
    report = reliability_report(user=users["manager"], first=JUNE[0], last=JUNE[1], unit=county.east)
    dlt = report.dlt
    assert dlt.user_unit == rules.LV
    assert dlt.users == 6
    assert dlt.period_hours == 720
    assert close(dlt.user_hours, 2 / 15 + 24 + 6 + 23 + 1)
    assert close(dlt.aihc1, 54.133333333333333 / 6)
    assert close(dlt.rs1, (1 - (54.133333333333333 / 6) / 720) * 100)
    assert round(dlt.rs1 or 0, 6) == 98.746914
    assert close(dlt.aihc3, 48.133333333333333 / 6)
    assert round(dlt.rs3 or 0, 6) == 98.885802
    assert dlt.interrupted_users == 17
    assert close(dlt.aitc1, 17 / 6)


def test_dlt836_10kv_counts_transformers_and_the_dedicated_customer(scenario, users, county):
    """DL/T 836, 10 kV: users T1, T2 (public transformers of the east 台区) and f (专变) = 3.

    O1 T2 2 min: short, not counted. O2 T1 4 min = 1/15 h. O3 T1, T2, f 4 h each = 12 h, 3 users.
    O4 T2 2 h (rationing). O5 T1 10:00–16:00 = 6 h, T2 from its first customer out to its last back,
    10:00–14:00 = 4 h (d back at 13:00 does not shorten it): 10 h, 2 users. O6 f 1 h.
    Σ = 1/15 + 12 + 2 + 10 + 1 = 25.066667 h; AIHC-1 = 8.355556 h; RS-1 = (1 − 8.355556 / 720) × 100 =
    98.839506 %. RS-3 without O4: 23.066667 / 3 = 7.688889 h → 98.932099 %.
    Interruptions 1 + 3 + 1 + 2 + 1 = 8 → AITC-1 = 8 / 3 = 2.666667.
    """
    report = reliability_report(
        user=users["manager"], first=JUNE[0], last=JUNE[1], unit=county.east, user_unit=rules.MV
    )
    dlt = report.dlt
    assert dlt.user_unit == rules.MV
    assert dlt.users == 3
    assert close(dlt.user_hours, 1 / 15 + 12 + 2 + 10 + 1)
    assert close(dlt.aihc1, (1 / 15 + 25) / 3)
    assert round(dlt.rs1 or 0, 6) == 98.839506
    assert close(dlt.aihc3, (1 / 15 + 23) / 3)
    assert round(dlt.rs3 or 0, 6) == 98.932099
    assert dlt.interrupted_users == 8
    assert close(dlt.aitc1, 8 / 3)


def test_ieee1366_excludes_momentary_planned_and_the_major_event_day(scenario, users, county):
    """IEEE 1366, customers served N = 6, cut-off 5 min, planned and Major Event Days excluded.

    History (May, unplanned and sustained): 10 May SAIDI = 60 × 1 / 6 = 10 min; 20 May = 90 × 2 / 6 =
    30 min (25 May is planned: out). ln 10 = 2.302585, ln 30 = 3.401197: α = 2.851891, β (sample) =
    1.098612 / √2 = 0.776836; T_MED = exp(α + 2.5 β) = √300 × 3^(2.5/√2) = 120.78 min.
    June days: 15 Jun (O4) 3 × 120 / 6 = 60; 20 Jun (O5) (2 × 360 + 2 × 240 + 180) / 6 = 230 > 120.78:
    a Major Event Day; 25 Jun (O6) 60 / 6 = 10. O1 (2 min) and O2 (4 min) are momentary, O3 planned.
    Counted: O4 360 customer-minutes, 3 customers; O6 60, 1.
    SAIDI = 420 / 6 = 70 min; SAIFI = 4 / 6 = 0.666667; CAIDI = 70 / 0.666667 = 105 min;
    ASAI = (1 − 70 / 43 200) × 100 = 99.837963 %.
    """
    report = reliability_report(user=users["manager"], first=JUNE[0], last=JUNE[1], unit=county.east)
    med = report.med
    assert med.days == 2
    assert close(med.alpha, (math.log(10) + math.log(30)) / 2)
    assert close(med.beta, math.log(3) / math.sqrt(2))
    assert close(med.value, math.sqrt(300) * 3 ** (2.5 / math.sqrt(2)))
    assert round(med.value or 0, 2) == 120.78
    ieee = report.ieee
    assert ieee.major_event_days == (dt.date(2026, 6, 20),)
    assert ieee.customers == 6
    assert close(ieee.customer_minutes, 420)
    assert ieee.customers_interrupted == 4
    assert close(ieee.saidi, 70)
    assert close(ieee.saifi, 4 / 6)
    assert close(ieee.caidi, 105)
    assert close(ieee.asai, (1 - 70 / 43200) * 100)
    assert round(ieee.asai or 0, 6) == 99.837963


def test_a_month_of_the_table_has_the_figures_of_that_month(scenario, users, county):
    """May–June: May's row holds the history's figures (no MED threshold before May: no history), June's
    row the figures above. May, DL/T 836 low voltage: 1 h × 1 + 1.5 h × 2 + 4 h × 6 = 28 user-hours
    over 6 users in 744 hours."""
    report = reliability_report(
        user=users["manager"], first=dt.date(2026, 5, 1), last=JUNE[1], unit=county.east
    )
    may, june = report.months
    assert (may.first, may.last, june.first, june.last) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 31),
        *JUNE,
    )
    assert close(may.dlt.user_hours, 28)
    assert may.dlt.period_hours == 744
    assert close(june.dlt.user_hours, 2 / 15 + 24 + 6 + 23 + 1)
    # No history before May: no threshold, so 20 June is no Major Event Day over this period.
    assert report.med.value is None
    assert close(june.ieee.customer_minutes, 360 + 1380 + 60)


def test_a_feeder_counts_every_customer_below_it_whatever_their_unit(scenario, users):
    """Feeder F, low voltage: a–g = 7 customers; O8 (g, 1 h) joins: 54.133333 + 1 = 55.133333 h."""
    report = reliability_report(
        user=users["manager"], first=JUNE[0], last=JUNE[1], feeder=scenario.devices["F"]
    )
    assert report.dlt.users == 7
    assert close(report.dlt.user_hours, 2 / 15 + 24 + 6 + 23 + 1 + 1)


def test_a_dispatcher_sees_their_own_unit_only(scenario, users, county):
    """The dispatcher sits at the county: without a unit chosen, the county's subtree (a–g here)."""
    report = reliability_report(user=users["dispatcher"], first=JUNE[0], last=JUNE[1])
    assert report.scope.unit == county.county
    assert report.dlt.users == 7


def test_the_report_asks_as_many_queries_for_a_year_as_for_a_month(scenario, users, county):
    """The records are read once for the period and once for the MED history, whatever the months."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(first: dt.date, last: dt.date, user_unit: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            reliability_report(
                user=users["manager"], first=first, last=last, unit=county.east, user_unit=user_unit
            )
        return len(captured.captured_queries)

    for user_unit in (rules.LV, rules.MV):
        assert queries(*JUNE, user_unit) == queries(dt.date(2026, 1, 1), dt.date(2026, 12, 31), user_unit)
