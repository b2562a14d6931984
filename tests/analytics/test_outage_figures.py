"""Outage-notice lateness and reliability on the dashboards, on a small hand-computed June 2026.

Outages (``now`` = 25 June 12:00 Beijing time; the notice rule: a planned outage's, seeded):

====  ======  =========  ==================================  ====================================
name  unit    state      start                               notices (deadline; sent)
====  ======  =========  ==================================  ====================================
A     east    confirmed  10 Jun 08:00 (actual)               3 Jun: on time; 3 Jun: a day late;
                                                             3 Jun: never sent
B     east    confirmed  20 Jun 08:00 (actual)               13 Jun: on time; 13 Jun: on time
C     east    confirmed  28 Jun 08:00 (planned, not begun)   26 Jun: not sent, deadline still ahead
D     west    confirmed  15 Jun 08:00                        8 Jun: never sent
E     east    rejected   12 Jun 08:00                        —
F     east    confirmed  20 May 08:00                        13 May: never sent
====  ======  =========  ==================================  ====================================

East, June: outages A, B, C = 3; notices owed (deadline come) 3 + 2 = 5, late or missing 2 → 40 %;
outages with a late notice 1 (A) of 2 owing one (A, B) → 50 %. The whole county adds D: 4 outages,
6 owed, 3 late → 50 %; 2 of 3 outages → 66.67 %.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from powerdesk.analytics.measures import Scope
from powerdesk.analytics.outage_figures import outage_figures
from powerdesk.analytics.selectors import period_of
from powerdesk.core import clock
from powerdesk.outages import services as outage_services
from powerdesk.outages.models import NoticeRule, NoticeState, Outage, OutageNotice, OutageSource, OutageState
from powerdesk.reliability.selectors import reliability_report
from tests.factories import CustomerFactory
from tests.reliability.conftest import scenario  # noqa: F401  (the feeder and its June interruptions)

pytestmark = pytest.mark.django_db

JUNE = period_of(dt.date(2026, 6, 1), dt.date(2026, 6, 30))
NOW = dt.datetime(2026, 6, 25, 12, 0, tzinfo=clock.BUSINESS_TZ)
_numbers = itertools.count(1)


def at(month: int, day: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=clock.BUSINESS_TZ)


def make_outage(unit, start, *, state=OutageState.CONFIRMED, begun=True, notices=()) -> Outage:
    """An outage of ``unit`` starting at ``start``; ``notices``: (deadline, sent at or None) each for a
    customer of its own; the lateness flags set by the outages app's own rule."""
    outage = Outage.objects.create(
        number=f"TDDASH{next(_numbers):04d}",
        kind="planned",
        state=state,
        source=OutageSource.DISPATCHER,
        title="检修",
        unit=unit,
        planned_start=start,
        planned_end=start + dt.timedelta(hours=4),
        actual_start=start if begun else None,
        created_at=start - dt.timedelta(days=10),
    )
    rule = NoticeRule.objects.filter(kind="planned").first()
    for due_by, sent_at in notices:
        OutageNotice.objects.create(
            outage=outage,
            customer=CustomerFactory(area=unit.children.first() if unit.children.exists() else None),
            rule=rule,
            due_by=due_by,
            sent_at=sent_at,
            state=NoticeState.SENT if sent_at else NoticeState.PENDING,
        )
    outage_services.notices_flag(outage=outage, now=NOW)
    return outage


@pytest.fixture
def june(county):
    a = make_outage(
        county.east,
        at(6, 10),
        notices=[(at(6, 3), at(6, 2)), (at(6, 3), at(6, 4)), (at(6, 3), None)],
    )
    make_outage(county.east, at(6, 20), notices=[(at(6, 13), at(6, 12)), (at(6, 13), at(6, 13, 7))])
    make_outage(county.east, at(6, 28), begun=False, notices=[(at(6, 26), None)])
    make_outage(county.west, at(6, 15), notices=[(at(6, 8), None)])
    make_outage(county.east, at(6, 12), state=OutageState.REJECTED)
    make_outage(county.east, at(5, 20), notices=[(at(5, 13), None)])
    return a


def values(figures) -> dict[str, tuple]:
    return {r.code: (r.value, r.part, r.whole) for r in figures.notices}


def listed(client, url: str) -> int:
    """How many outages the outage list says it holds for a dashboard link."""
    page = client.get(url).content.decode()
    found = re.search(r'id="outage-count">共 (\d+) 次停电', page)
    assert found, page[:500]
    return int(found.group(1))


def test_without_any_outage_the_source_is_absent_not_zero(users, county, client, month):
    figures = outage_figures(JUNE, Scope(users["manager"]), now=NOW)
    assert figures.available is False and figures.notices == [] and figures.reliability == []
    client.force_login(users["manager"])
    html = client.get(reverse("analytics:dashboard"), {"date_from": "2026-03-01"}).content.decode()
    assert 'id="outage-source-absent"' in html and "缺少源数据" in html
    assert 'id="outage-notice-table"' not in html


def test_notice_lateness_of_a_unit_by_hand(june, users, county):
    figures = outage_figures(JUNE, Scope(users["manager"], county.east), now=NOW)
    assert figures.available
    assert values(figures) == {
        "outages": (3, None, None),
        "notices_owed": (5, None, None),
        "notices_late": (2, None, None),
        "notice_late_rate": (40.0, 2, 5),
        "outages_late": (1, None, None),
        "outage_late_share": (50.0, 1, 2),
    }


def test_notice_lateness_of_the_county_by_hand(june, users):
    figures = outage_figures(JUNE, Scope(users["manager"]), now=NOW)
    got = values(figures)
    assert got["outages"][0] == 4 and got["notices_owed"][0] == 6 and got["notices_late"][0] == 3
    assert got["notice_late_rate"] == (50.0, 3, 6)
    assert got["outage_late_share"] == (66.67, 2, 3)


def test_a_period_without_outages_shows_zero_and_no_rate(june, users, county):
    july = period_of(dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    got = values(outage_figures(july, Scope(users["manager"], county.east), now=NOW))
    assert got["outages"] == (0, None, None)
    assert got["notice_late_rate"] == (None, 0, 0)  # the page shows "—", not 0 %


def test_each_count_links_to_the_outage_list_that_reproduces_it(june, users, county, client):
    client.force_login(users["manager"])
    for scope in (Scope(users["manager"], county.east), Scope(users["manager"])):
        figures = outage_figures(JUNE, scope, now=NOW)
        rows = {r.code: r for r in figures.notices}
        assert listed(client, rows["outages"].link) == rows["outages"].value
        assert listed(client, rows["outages_late"].link) == rows["outages_late"].value
        assert dict(parse_qsl(urlsplit(rows["outages"].link).query))["state"] == "confirmed"


def test_reliability_is_the_reliability_apps_figures_for_the_scope(scenario, users, county):  # noqa: F811
    """The reliability fixture's June in the east (its hand computation: tests/reliability/
    test_indices.py): Σ user-hours 54.133333 over 6 customers → AIHC-1 9.022222 h, RS-1 =
    (1 − 9.022222 / 720) × 100 = 98.746914 %; RS-3 98.885802 %; AITC-1 17 / 6."""
    figures = outage_figures(JUNE, Scope(users["manager"], county.east), now=NOW)
    rows = {r.code: r for r in figures.reliability}
    assert round(rows["rs1"].value, 6) == 98.746914
    assert round(rows["rs3"].value, 6) == 98.885802
    assert math.isclose(rows["aitc1"].value, 17 / 6)
    report = reliability_report(user=users["manager"], first=JUNE.first, last=JUNE.last, unit=county.east)
    assert math.isclose(rows["saidi"].value, report.ieee.saidi)
    assert "AIHC-1" in rows["rs1"].definition and "720" in rows["rs1"].worked
    assert (
        rows["rs1"].link.startswith(reverse("reliability:report"))
        and f"unit={county.east.pk}" in rows["rs1"].link
    )
    # No interruption in July: every customer supplied the whole month.
    july = period_of(dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    rows = {
        r.code: r for r in outage_figures(july, Scope(users["manager"], county.east), now=NOW).reliability
    }
    assert rows["rs1"].value == 100.0


def test_a_unit_head_gets_the_outage_list_not_the_reliability_page(scenario, west_head, county):  # noqa: F811
    figures = outage_figures(JUNE, Scope(west_head, county.west), now=NOW)
    rows = {r.code: r for r in figures.reliability}
    assert rows["rs1"].link.startswith(reverse("outages:list"))
    # West June: customer g, O8 one hour → AIHC-1 1 h over 1 user.
    assert math.isclose(rows["aihc1"].value, 1.0)


def test_the_dashboard_shows_them_with_their_formulas(june, users, county, client):
    client.force_login(users["manager"])
    html = client.get(reverse("analytics:dashboard"), {"date_from": "2026-06-01", "date_to": "2026-06-30"})
    html = html.content.decode()
    assert 'id="outage-notice-table"' in html and 'id="reliability-table"' in html
    assert "滞后或缺失的通知 ÷ 应发停电通知" in html and "(1 − AIHC-1 ÷ 统计期小时数) × 100%" in html
    assert reverse("outages:list") + "?date_from=2026-06-01" in html


def test_the_dashboard_api_answers_the_same_outage_tables(june, users):
    from tests.api.conftest import client_for

    answer = client_for(users["manager"]).get(
        reverse("api-v1-analytics-dashboard"), {"date_from": "2026-06-01", "date_to": "2026-06-30"}
    )
    assert answer.status_code == 200
    outages = answer.json()["outages"]
    assert outages["available"] is True
    notices = {r["code"]: r for r in outages["notices"]}
    # The county's June as the page computes it now (deadlines already past: every notice owed).
    assert notices["outages"]["value"] == 4
    assert notices["notice_late_rate"]["definition"] == "滞后或缺失的通知 ÷ 应发停电通知。"
    assert notices["outages"]["link"].startswith(reverse("outages:list"))
    assert {r["code"] for r in outages["reliability"]} >= {"rs1", "rs3", "saidi", "saifi"}
