"""The aggregates: a rebuild gives every measure the same figure as computed from the raw orders, the
upkeep follows changes through the timeline, and each KPI on small hand-computed examples."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
import time_machine
from django.db.models import Count

from powerdesk.analytics import aggregates, dashboard, measures, rules, services
from powerdesk.analytics.dashboard import Filters
from powerdesk.analytics.measures import Scope
from powerdesk.analytics.models import CustomerCount, OrderFact, Watermark
from powerdesk.analytics.selectors import period_of
from powerdesk.complaints.models import Judgment, Verdict
from powerdesk.core import clock
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.filters import order_list
from powerdesk.workorders.models import WorkOrder
from tests.analytics.conftest import NOW, order_for

pytestmark = pytest.mark.django_db

MARCH = period_of(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def figures(user, unit=None, period=MARCH, **filters):
    return dashboard.dashboard_figures(period, Scope(user, unit), Filters(**filters))


def raw(qs):
    return qs.filter(created_at__gte=MARCH.start, created_at__lt=MARCH.end)


def listed(user, url: str) -> int:
    """How many orders the order list shows for a dashboard link (its own filters, parsed as the list
    parses them)."""
    params = dict(parse_qsl(urlsplit(url).query))
    return order_list(user=user, **params).count()


def test_a_rebuild_gives_every_measure_the_raw_orders_figure(month, users, county):
    manager = users["manager"]
    aggregates.rebuild()
    for unit in (None, county.east, county.west):
        scope = Scope(manager, unit)
        f = dashboard.dashboard_figures(MARCH, scope, Filters()).kpis
        orders = raw(WorkOrder.objects.filter(scope.q("unit_id")))
        assert f["orders"].value == orders.count()
        repeat = measures.total(
            "ratio", list(measures.repeat_calls(period=MARCH, scope=scope, by="unit").values.values())
        )
        assert (f["repeat_calls"].part, f["repeat_calls"].whole) == (repeat.part, repeat.whole)
        satisfied = measures.total(
            "ratio", list(measures.satisfaction(period=MARCH, scope=scope, by="unit").values.values())
        )
        assert (f["satisfaction"].part, f["satisfaction"].whole) == (satisfied.part, satisfied.whole)
        on_time = measures.total(
            "ratio", list(measures.on_time(period=MARCH, scope=scope, by="unit").values.values())
        )
        assert (f["on_time"].part, f["on_time"].whole) == (on_time.part, on_time.whole)
        complaints = orders.filter(business_type=BusinessType.COMPLAINT)
        assert f["complaints"].value == complaints.count()
        latest = {
            j.record.order_id: j.verdict
            for j in Judgment.objects.filter(record__order__in=complaints)
            .order_by("at", "id")
            .select_related("record")
        }
        assert f["valid_share"].part == sum(v == Verdict.VALID for v in latest.values())
        base = orders.exclude(business_type__in=[BusinessType.REPAIR, BusinessType.PRAISE])
        assert f["quality_index"].whole == base.count()
        assert f["quality_index"].part == base.filter(contact_count__gte=3).count()
        by_unit = dict(orders.values_list("unit_id").annotate(n=Count("id")))
        cells = dashboard.dashboard_figures(MARCH, scope, Filters()).breakdowns["unit_id"]
        assert {c.key: c.value for c in cells} == by_unit


def test_the_upkeep_follows_the_timeline(month, users, county, customer):
    manager = users["manager"]
    aggregates.rebuild()
    before = figures(manager).kpis
    repair_a = month.repair_a
    WorkOrder.objects.filter(pk=repair_a.pk).update(business_type=BusinessType.CONSULTATION, contact_count=3)
    # Changed without an event: the upkeep does not see it yet.
    assert aggregates.refresh() == 0
    services.malicious_flag_set(order=repair_a, reason="反复索要不合理赔偿", actor=users["repair"])
    assert aggregates.refresh() == 1
    after = figures(manager).kpis
    assert OrderFact.objects.get(order=repair_a).malicious is True
    assert after["malicious"].value == before["malicious"].value + 1 == 1
    # A consultation now, but malicious: still outside the index's base.
    assert after["quality_index"].whole == before["quality_index"].whole
    new = order_for(users["agent"], customer, assignee=None, unit=county.east, business_type="opinion")
    assert aggregates.refresh() >= 1
    assert figures(manager).kpis["orders"].value == before["orders"].value + 1
    assert OrderFact.objects.filter(order=new).exists()
    # The run before's watermark is read again (a transaction that committed late), then moves on.
    mark = Watermark.objects.get()
    assert mark.low <= mark.value


def test_no_orders_no_figures(frozen, users):
    aggregates.rebuild()
    f = figures(users["manager"]).kpis
    assert f["orders"].value == 0
    for code in ("quality_index", "repeat_calls", "satisfaction", "on_time", "first_contact_resolution"):
        assert f[code].value is None and not f[code].available, code
    assert f["complaints_per_1000"].value is None


def test_complaints_per_thousand_and_a_unit_without_customers(month, users, county):
    aggregates.rebuild()
    CustomerCount.objects.all().delete()
    CustomerCount.objects.create(month=dt.date(2026, 3, 1), area_id=county.east_area.pk, customers=2000)
    east = figures(users["manager"], county.east).kpis
    # One complaint (valid) in the east, 2,000 customers for the whole of March.
    assert east["complaints_per_1000"].value == 0.5
    assert east["valid_per_1000"].value == 0.5
    west = figures(users["manager"], county.west).kpis
    assert west["complaints"].value == 1
    assert west["complaints_per_1000"].value is None and not west["complaints_per_1000"].available


def test_customer_months_weigh_partial_months():
    counts = {dt.date(2026, 2, 1): 1000, dt.date(2026, 3, 1): 3100}
    assert rules.customer_months(counts, dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == 3100
    # The second half of February (14 of 28 days) and the first 10 days of March.
    value = rules.customer_months(counts, dt.date(2026, 2, 15), dt.date(2026, 3, 10))
    assert value == pytest.approx(1000 * 14 / 28 + 3100 * 10 / 31)
    assert rules.per_thousand(3, 0) is None


def test_changed_days_are_read_as_runs_of_consecutive_days():
    d = dt.date
    days = [d(2026, 3, 2), d(2024, 1, 31), d(2026, 2, 28), d(2026, 3, 1), d(2024, 2, 1), d(2026, 3, 2)]
    # Across a month's end and two years apart: two reads, none covering the years between.
    assert rules.day_runs(days) == [
        (d(2024, 1, 31), d(2024, 2, 1)),
        (d(2026, 2, 28), d(2026, 3, 2)),
    ]
    assert rules.day_runs([]) == []


def test_a_holiday_order_counts_on_its_beijing_day(frozen, users, county, customer):
    """An order taken at 00:30 on 1 October (国庆节) in Beijing is 30 September in UTC: it counts on the
    holiday, at hour 0."""
    moment = dt.datetime(2025, 10, 1, 0, 30, tzinfo=clock.BUSINESS_TZ)
    with time_machine.travel(moment, tick=False):
        order = order_for(users["agent"], customer, assignee=None, unit=county.east)
    aggregates.rebuild()
    fact = OrderFact.objects.get(order=order)
    assert (fact.day, fact.hour) == (dt.date(2025, 10, 1), 0)
    october = period_of(dt.date(2025, 10, 1), dt.date(2025, 10, 7))
    f = figures(users["manager"], period=october)
    assert f.kpis["orders"].value == 1
    assert f.breakdowns["hour"][0].value == 1


def test_index_excludes_repairs_praise_answered_consultations_and_malicious():
    order = {
        "id": 1,
        "unit_id": 1,
        "area_id": None,
        "topic_id": None,
        "sub_type_id": None,
        "channel": "95598",
        "created_at": NOW,
        "closed_at": None,
        "status": "archived",
        "contact_count": 3,
        "reopen_count": 0,
        "satisfaction": "",
        "called_back_at": None,
    }

    def row(business_type, **kw):
        values = {
            "customer_type": "",
            "answered_first": False,
            "malicious": False,
            "verdict": "",
            "groups": [],
        }
        values.update(kw)
        return rules.fact_row({**order, "business_type": business_type}, **values)

    assert row("repair")["index_counted"] is False
    assert row("praise")["index_counted"] is False
    assert row("consultation", answered_first=True)["index_counted"] is False
    assert row("consultation")["index_counted"] is True
    assert row("complaint", malicious=True)["index_counted"] is False
    assert row("complaint")["first_contact_resolved"] is False  # three contacts
    assert rules.quality_index(1, 4) == 0.75 and rules.quality_index(0, 0) is None


def test_drill_down_links_reproduce_the_numbers(month, users, county):
    manager = users["manager"]
    aggregates.rebuild()
    f = figures(manager)
    for code in ("orders", "complaints"):
        assert listed(manager, f.kpis[code].link) == f.kpis[code].value, code
    for code in ("repeat_calls", "satisfaction", "quality_index", "valid_share"):
        k = f.kpis[code]
        assert listed(manager, k.part_link) == k.part, code
        assert listed(manager, k.link) == k.whole, code
    for dimension in ("unit_id", "business_type", "topic_id", "customer_type", "hour", "day", "area_id"):
        for cell in f.breakdowns[dimension]:
            if cell.link:
                assert listed(manager, cell.link) == cell.value, (dimension, cell.key)
    east = figures(manager, county.east)
    assert listed(manager, east.kpis["orders"].link) == east.kpis["orders"].value > 0


def test_a_period_reads_month_rows_for_whole_months_and_day_rows_for_the_rest():
    q = dashboard.span(dt.date(2026, 2, 20), dt.date(2026, 4, 2))
    assert str(q) == str(
        dashboard.Q(monthly=True, day__in=[dt.date(2026, 3, 1)])
        | dashboard.Q(monthly=False, day__gte=dt.date(2026, 2, 20), day__lt=dt.date(2026, 3, 1))
        | dashboard.Q(monthly=False, day__gte=dt.date(2026, 4, 1), day__lte=dt.date(2026, 4, 2))
    )
    # Whole months only; inside one month only; the last day of a month closes it.
    assert str(dashboard.span(dt.date(2026, 1, 1), dt.date(2026, 3, 31))) == str(
        dashboard.Q(monthly=True, day__in=[dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)])
    )
    assert str(dashboard.span(dt.date(2026, 3, 2), dt.date(2026, 3, 31))) == str(
        dashboard.Q(monthly=False, day__gte=dt.date(2026, 3, 2), day__lte=dt.date(2026, 3, 31))
    )
    assert str(dashboard.span(dt.date(2026, 2, 1), dt.date(2026, 2, 28))) == str(
        dashboard.Q(monthly=True, day__in=[dt.date(2026, 2, 1)])
    )


def test_month_rows_and_day_rows_add_up_to_the_raw_orders(frozen, users, county, customer):
    """Orders on the edges of months: every period, whether it reads month rows, day rows or both, pooled
    or detail rows, counts what the raw orders count; a change the upkeep takes in reaches the month
    rows too."""
    days = [dt.date(2026, 2, 20), dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 3, 16)]
    days += [dt.date(2026, 3, 31), dt.date(2026, 4, 2)]
    made = []
    for i, day in enumerate(days):
        moment = dt.datetime.combine(day, dt.time(9 + i), tzinfo=clock.BUSINESS_TZ)
        with time_machine.travel(moment, tick=False):
            made.append(order_for(users["agent"], customer, assignee=None, unit=county.east))
    aggregates.rebuild()
    manager = users["manager"]
    for first, last in [
        (dt.date(2026, 2, 20), dt.date(2026, 4, 2)),
        (dt.date(2026, 2, 21), dt.date(2026, 3, 31)),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 4, 30)),
    ]:
        period = period_of(first, last)
        expected = WorkOrder.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
        f = figures(manager, period=period)
        assert f.kpis["orders"].value == expected.count(), (first, last)
        by_day = {c.label: c.value for c in f.breakdowns["day"]}
        assert by_day == {d.isoformat(): 1 for d in days if first <= d <= last}, (first, last)
        assert sum(c.value for c in f.breakdowns["hour"]) == expected.count()
        assert sum(c.value for c in f.breakdowns["area_id"]) == expected.exclude(area=None).count()
        assert sum(c.value for c in f.breakdowns["sub_type_id"]) == expected.count()
        # Without filters the pooled rows are read, with one the detail rows: they agree.
        assert {c.key: c.value for c in f.breakdowns["channel"]} == {"95598": expected.count()}
        by_phone = figures(manager, period=period, channel="95598")
        assert by_phone.kpis["orders"].value == expected.count()
        assert [c.value for c in by_phone.breakdowns["day"]] == [c.value for c in f.breakdowns["day"]]
        assert figures(manager, period=period, channel="wechat").kpis["orders"].value == 0
    # March 16's order becomes a complaint: March's month row follows with the upkeep.
    march = period_of(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert figures(manager, period=march).kpis["complaints"].value == 0
    WorkOrder.objects.filter(pk=made[3].pk).update(business_type=BusinessType.COMPLAINT)
    services.malicious_flag_set(order=made[3], reason="反复索要不合理赔偿", actor=users["repair"])
    assert aggregates.refresh() == 1
    after = figures(manager, period=march).kpis
    assert after["complaints"].value == 1 and after["malicious"].value == 1
    assert (
        figures(manager, period=period_of(dt.date(2026, 3, 16), dt.date(2026, 3, 16)))
        .kpis["complaints"]
        .value
        == 1
    )
