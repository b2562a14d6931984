"""The service quality view: each measure on the crafted month, scope, the page, the CSV export, the API
and the number of queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powerdesk.analytics import measures
from powerdesk.analytics.measures import Mean, Ratio, Scope
from powerdesk.analytics.selectors import period_of, quality_table, user_sees_quality
from powerdesk.core.errors import NotPermitted
from powerdesk.sla.selectors import on_time_rates
from tests.analytics.conftest import NOW
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

MARCH = (NOW.date().replace(day=1), NOW.date().replace(day=31))


def table(user, by="staff", unit=None, kind="", days=MARCH):
    return quality_table(user=user, first=days[0], last=days[1], by=by, unit=unit, kind=kind)


def figures(t, key):
    return next(r.figures for r in t.rows if r.key == key)


def test_each_measure_per_staff_member(month, users):
    t = table(users["manager"])
    a, b = figures(t, month.a.pk), figures(t, month.b.pk)
    assert (a["valid_complaints"], b["valid_complaints"]) == (1, 0)
    assert (a["praise"], b["praise"]) == (0, 1)
    assert (a["satisfaction"], b["satisfaction"]) == (Ratio(1, 1), Ratio(0, 1))
    assert (a["survey_score"], b["survey_score"]) == (Mean(5, 1), Mean(2, 1))
    assert a["on_time"].percent == 100.0 and b["on_time"].percent == 0.0
    assert a["on_time"].whole == b["on_time"].whole > 0
    assert (a["repeat_calls"], b["repeat_calls"]) == (Ratio(1, 1), Ratio(0, 1))
    assert (a["open_rectifications"], b["open_rectifications"]) == (1, 0)


def test_each_measure_per_unit_and_the_totals(month, users):
    t = table(users["manager"], by="unit")
    east, west = figures(t, month.east.pk), figures(t, month.west.pk)
    assert (east["valid_complaints"], west["valid_complaints"]) == (1, 0)
    assert (east["praise"], west["praise"]) == (0, 1)
    # east: the twice-called repair and the complaint; west: the repair, the complaint and the praise.
    assert east["repeat_calls"] == Ratio(1, 2) and west["repeat_calls"] == Ratio(0, 3)
    assert t.totals.figures["satisfaction"] == Ratio(1, 2)
    assert t.totals.figures["survey_score"].value == 3.5
    assert t.totals.figures["open_rectifications"] == 1


def test_opinion_box_entries_count_for_their_halls_unit_in_the_period_and_for_no_one_by_staff(month, users):
    from powerdesk.feedback.models import OpinionEntry
    from powerdesk.org.models import ServiceHall

    hall = ServiceHall.objects.create(
        unit=month.east, name="东区营业厅", address="人民路1号", opening_hours="8:30–17:30"
    )
    for day in (2, 20):
        OpinionEntry.objects.create(hall=hall, text="排队太久", created_at=NOW.replace(day=day))
    OpinionEntry.objects.create(hall=hall, text="上个月的", created_at=NOW.replace(month=2, day=20))
    by_unit = table(users["manager"], by="unit")
    assert figures(by_unit, month.east.pk)["opinions"] == 2
    assert figures(by_unit, month.west.pk)["opinions"] == 0
    by_staff = table(users["manager"])
    assert all(r.figures["opinions"] == 0 for r in by_staff.rows)
    assert by_staff.totals.figures["opinions"] == 2 and by_staff.available["opinions"] is True


def test_the_on_time_rate_is_the_sla_apps(month, users):
    """The clocks of the month by kind, counted by the SLA page's own selector, give the same terms."""
    rates = on_time_rates(user=users["manager"], period="30d", by="kind")
    for rate in rates:
        ours = table(users["manager"], by="unit", kind=rate.key).totals.figures["on_time"]
        if rate.decided:
            assert (ours.part, ours.whole) == (rate.on_time, rate.decided)
        else:  # only running clocks of that kind: nothing decided, so no figure rather than 0 %
            assert ours is None
    assert any(rate.decided for rate in rates)


def test_a_period_before_the_data_says_no_data_rather_than_zero(month, users):
    t = table(
        users["manager"], days=(NOW.date().replace(month=1, day=1), NOW.date().replace(month=1, day=31))
    )
    # Only A's open rectification, which counts as it stands now.
    assert [(r.key, r.figures["open_rectifications"]) for r in t.rows] == [(month.a.pk, 1)]
    for code in ("valid_complaints", "praise", "satisfaction", "survey_score", "on_time", "repeat_calls"):
        assert t.available[code] is False
        assert t.totals.figures[code] is None
    assert t.available["open_rectifications"] is True  # as it stands now, whatever the period


def test_periods_count_by_acceptance_in_beijing_time(month, users):
    """An order accepted at 00:30 Beijing on 1 April (16:30 UTC on 31 March) belongs to April."""
    from powerdesk.workorders.models import WorkOrder

    WorkOrder.objects.filter(pk=month.repair_b.pk).update(
        created_at=NOW.replace(month=4, day=1, hour=0, minute=30)
    )
    march, april = (
        period_of(*MARCH),
        period_of(NOW.date().replace(month=4, day=1), NOW.date().replace(month=4, day=30)),
    )
    scope = Scope(users["manager"])
    assert month.b.pk not in measures.repeat_calls(period=march, scope=scope, by="staff").values
    assert measures.repeat_calls(period=april, scope=scope, by="staff").values[month.b.pk] == Ratio(0, 1)


def test_a_unit_head_sees_only_their_subtree(month, users, west_head):
    assert user_sees_quality(west_head)
    t = table(west_head, by="unit")
    assert [r.key for r in t.rows] == [month.west.pk]
    staff = table(west_head)
    assert month.a.pk not in [r.key for r in staff.rows]
    assert figures(staff, month.b.pk)["praise"] == 1


def test_choosing_a_unit_narrows_to_its_subtree(month, users, county):
    t = table(users["manager"], by="unit", unit=county.east)
    assert [r.key for r in t.rows] == [month.east.pk]


def test_who_sees_the_view(users, west_head):
    assert user_sees_quality(users["manager"])
    for name in ("agent", "dispatcher", "repair", "callback", "norole"):
        assert not user_sees_quality(users[name])
        with pytest.raises(NotPermitted):
            table(users[name])


def test_queries_do_not_grow_with_the_staff(month, users, more_staff):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            t = table(users["manager"])
        return len(queries), len(t.rows)

    queries_before, rows_before = count()
    more_staff(5)
    queries_after, rows_after = count()
    assert rows_after == rows_before + 5
    assert queries_after == queries_before <= len(measures.MEASURES) + 2


# --- the page, the export, the API --------------------------------------------------------------------


def test_the_page_shows_figures_definitions_and_links(month, users, client):
    client.force_login(users["manager"])
    page = client.get(reverse("analytics:quality"), {"by": "unit"})
    assert page.status_code == 200
    html = page.content.decode()
    for m in measures.MEASURES.values():
        assert str(m.definition) in html
    assert "50.0%" in html  # one of east's two orders was called again
    query = f"queue=all&amp;date_from=2026-03-01&amp;date_to=2026-03-31&amp;unit={month.east.pk}"
    link = f"{reverse('workorders:list')}?{query}"
    assert link in html
    assert reverse("analytics:quality") in client.get(reverse("home")).content.decode()


def test_the_page_keeps_the_filters_and_reports_bad_ones(month, users, client):
    client.force_login(users["manager"])
    page = client.get(reverse("analytics:quality"), {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert page.status_code == 200
    assert "结束日期不能早于开始日期。" in page.content.decode()
    # A bad clock kind is left out; the other filters still apply.
    page = client.get(reverse("analytics:quality"), {"by": "unit", "kind": "bogus"})
    assert page.status_code == 200
    assert "时限类别无效。" in page.content.decode()
    assert page.context["table"].by == "unit" and page.context["table"].kind == ""


def test_the_page_shows_this_month_and_links_the_months_around(users, client, frozen):
    client.force_login(users["manager"])
    page = client.get(reverse("analytics:quality"), {"by": "unit"})
    html = page.content.decode()
    assert 'value="2026-03-01"' in html and 'value="2026-03-31"' in html
    assert "?by=unit&amp;date_from=2026-02-01&amp;date_to=2026-02-28" in html
    assert "?by=unit&amp;date_from=2026-04-01&amp;date_to=2026-04-30" in html


def test_the_page_says_when_a_source_has_no_data(users, client, frozen):
    client.force_login(users["manager"])
    html = client.get(reverse("analytics:quality")).content.decode()
    assert str(measures.MEASURES["survey_score"].missing) in html


def test_the_page_and_the_nav_are_refused_to_other_roles(users, client):
    client.force_login(users["agent"])
    assert client.get(reverse("analytics:quality")).status_code == 403
    assert client.get(reverse("analytics:quality_export")).status_code == 403
    assert reverse("analytics:quality") not in client.get(reverse("home")).content.decode()


def test_csv_export_with_and_without_bom(month, users, client):
    client.force_login(users["manager"])
    url = reverse("analytics:quality_export")
    excel = client.get(url, {"by": "unit", "format": "excel"})
    assert excel.status_code == 200 and excel["Content-Type"].startswith("text/csv")
    body = excel.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "单位"
    assert [r[0] for r in rows[1:]] == ["东桥供电所", "西岭供电所", "合计"]
    plain = client.get(url, {"by": "unit", "format": "csv"}).content.decode("utf-8")
    assert not plain.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(plain))) == rows
    assert client.get(url, {"date_from": "nope"}).status_code == 400


def test_export_does_not_hand_a_formula_to_the_spreadsheet(month, users, client):
    month.a.full_name = "=HYPERLINK(1)"
    month.a.save(update_fields=["full_name"])
    client.force_login(users["manager"])
    body = client.get(reverse("analytics:quality_export"), {"format": "csv"}).content.decode()
    assert "'=HYPERLINK(1)" in body


def test_the_nav_links_the_view_for_a_unit_head(west_head, client, frozen):
    client.force_login(west_head)
    assert reverse("analytics:quality") in client.get(reverse("home")).content.decode()
    assert client.get(reverse("analytics:quality")).status_code == 200


def test_api_answers_the_same_table(month, users):
    api = client_for(users["manager"])
    answer = api.get(reverse("api-v1-quality"), {"by": "staff", "date_from": "2026-03-01"})
    assert answer.status_code == 200
    data = answer.json()
    assert data["date_to"] == "2026-03-31"
    row = next(r for r in data["rows"] if r["id"] == month.a.pk)
    assert row["figures"]["valid_complaints"]["value"] == 1
    assert row["figures"]["satisfaction"] == {"value": 100.0, "part": 1, "whole": 1, "count": None}
    assert {m["code"] for m in data["measures"]} == set(measures.MEASURES)


def test_api_errors_have_the_one_shape(users, frozen):
    api = client_for(users["manager"])
    bad = api.get(reverse("api-v1-quality"), {"by": "team"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "validation_error"
    assert "by" in bad.json()["error"]["fields"]
    refused = client_for(users["agent"]).get(reverse("api-v1-quality"))
    assert refused.status_code == 403
    assert "error" in refused.json()
