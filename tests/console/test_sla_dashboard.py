"""The time-limit dashboard: on-time rates per clock kind and per unit for today / 7 / 30 days, live
counts, and the warning when a year's holiday calendar is missing (also on the home page for managers)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from powerdesk.core import refcache, services
from powerdesk.core.models import CalendarYear
from powerdesk.sla.models import Clock, ClockKind, ClockState, SlaPolicy
from tests.console.conftest import intake
from tests.sla.helpers import T0  # Monday 2026-11-16 10:00

MISSING = "2027 年的节假日日历尚未导入，工作日按周一至周五计算，请管理员在后台导入。"
DERIVED = "2027 年：法定节假日已按规则推算，调休安排尚未导入。"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # These tests delete and add calendar years; later tests must not see a cached copy of that.
    yield
    refcache.clear()


def decided_clock(order, kind, *, days_ago, outcome):
    """A clock that fell due ``days_ago`` days before T0: ``met`` in time, met ``late``, or ``breached``."""
    due = T0 - dt.timedelta(days=days_ago)
    met_at = {"met": due - dt.timedelta(hours=1), "late": due + dt.timedelta(hours=1), "breached": None}[
        outcome
    ]
    return Clock.objects.create(
        order=order,
        policy=SlaPolicy.objects.filter(clock_kind=kind).first(),
        kind=kind,
        state=ClockState.BREACHED if outcome == "breached" else ClockState.MET,
        started_at=due - dt.timedelta(hours=4),
        due_at=due,
        allowed_seconds=4 * 3600,
        met_at=met_at,
        breached_at=None if outcome == "met" else due,
    )


@pytest.fixture
def known_clocks(users, customer):
    """Reply: 3 met in time, 1 met late (75 %). Arrival: the order's own running clock, 1 breached (0 %)."""
    with time_machine.travel(T0, tick=False):
        order = intake(users["agent"], customer)  # starts a running arrival clock, due today
    for days_ago in (1, 2, 3):
        decided_clock(order, ClockKind.REPLY, days_ago=days_ago, outcome="met")
    decided_clock(order, ClockKind.REPLY, days_ago=4, outcome="late")
    decided_clock(order, ClockKind.ARRIVAL, days_ago=2, outcome="breached")
    decided_clock(order, ClockKind.REPLY, days_ago=20, outcome="late")  # only in the 30 days
    return order


def rates(rows):
    return {
        row["rate"].label: (row["rate"].decided, row["rate"].on_time, row["rate"].percent) for row in rows
    }


def test_it_shows_the_on_time_rate_per_kind_and_unit_for_the_period(login, users, known_clocks):
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        response = login(users["manager"]).get(reverse("sla:dashboard"), {"period": "7d"})
    assert rates(response.context["by_kind"]) == {"到达现场": (1, 0, 0.0), "办结回复": (4, 3, 75.0)}
    assert rates(response.context["by_unit"]) == {"青溪县供电公司": (5, 3, 60.0)}
    body = response.content.decode()
    assert "75.0%" in body and "60.0%" in body and 'style="width:75.0%"' in body
    assert response.context["running"] == 1 and response.context["breached"] == 1


def test_each_period_counts_the_clocks_that_fell_due_in_it(login, users, known_clocks):
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        client = login(users["manager"])
        month = client.get(reverse("sla:dashboard"), {"period": "30d"})
        today = client.get(reverse("sla:dashboard"), {"period": "today"})
        nonsense = client.get(reverse("sla:dashboard"), {"period": "forever"})
    assert rates(month.context["by_kind"])["办结回复"] == (5, 3, 60.0)
    assert rates(today.context["by_kind"]) == {"到达现场": (0, 0, None)}  # still running: nothing decided
    assert "暂无已判定的时限" in today.content.decode()
    assert nonsense.status_code == 200 and nonsense.context["period"] == "7d"
    totals = {code: t.percent for code, _label, t in month.context["totals"]}
    assert totals == {"today": None, "7d": 60.0, "30d": 50.0}


def test_a_station_sees_the_rates_of_its_own_orders_only(login, users, known_clocks):
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        response = login(users["west_repair"]).get(reverse("sla:dashboard"))
    assert response.context["by_kind"] == [] and response.context["by_unit"] == []
    assert "这段时间没有到期的时限。" in response.content.decode()


def test_the_calendar_warning_appears_while_next_year_is_missing(login, users):
    with time_machine.travel(T0, tick=False):
        CalendarYear.objects.get_or_create(year=2026, defaults={"source": "test"})
        CalendarYear.objects.filter(year=2027).delete()
        client = login(users["manager"])
        assert MISSING in client.get(reverse("sla:dashboard")).content.decode()
        assert MISSING in client.get(reverse("home")).content.decode()
        # An agent is not the one to load it: the home page does not bother them.
        assert MISSING not in login(users["agent"]).get(reverse("home")).content.decode()


def test_no_calendar_warning_once_both_years_are_loaded(login, users):
    with time_machine.travel(T0, tick=False):
        for year in (2026, 2027):
            CalendarYear.objects.get_or_create(year=year, defaults={"source": "test"})
        client = login(users["manager"])
        dashboard = client.get(reverse("sla:dashboard"))
        home = client.get(reverse("home"))
    assert dashboard.context["calendar_warnings"] == []
    assert "节假日日历尚未导入" not in dashboard.content.decode()
    assert "节假日日历尚未导入" not in home.content.decode()


def test_a_year_derived_from_the_holiday_rule_is_warned_about_as_derived(login, users):
    with time_machine.travel(T0, tick=False):
        services.calendar_sync()
        client = login(users["manager"])
        home = client.get(reverse("home")).content.decode()
        dashboard = client.get(reverse("sla:dashboard")).content.decode()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(reverse("home")).content.decode()
    assert DERIVED in home and DERIVED in dashboard and MISSING not in home
    assert "2027: statutory holidays derived, bridging days not yet imported." in english
