"""The dashboards' tables as Excel: each table the page shows, with the page's own selection, within the
reader's units, no personal data, short ones in the request and long ones through the background job.

The ``month`` fixture (tests/analytics/conftest.py), March 2026: five orders — east: a repair called
twice, called back satisfied, and a complaint judged 成立; west: a repair called back dissatisfied, a
complaint judged 不成立, a praise.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from powerdesk.analytics import aggregates
from powerdesk.audit.models import AuditEntry
from powerdesk.exports import services
from powerdesk.exports.models import ExportJob, ExportSettings, ExportState

pytestmark = pytest.mark.django_db

MARCH = "date_from=2026-03-01&date_to=2026-03-31"


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.POWERDESK_EXPORT_ROOT = tmp_path / "exports"
    return settings.POWERDESK_EXPORT_ROOT


@pytest.fixture
def built(month):
    aggregates.rebuild()
    return month


def export(client, query: str):
    return client.post(reverse("exports:start", args=["dashboard"]), {"query": query})


def sheet_of(response):
    assert response.status_code == 200, response
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_a_breakdown_exports_as_its_table(built, users, client):
    client.force_login(users["manager"])
    sheet = sheet_of(export(client, f"{MARCH}&table=unit_id"))
    assert sheet.freeze_panes == "A2" and sheet.title == "统计看板-按处理单位"
    assert rows(sheet)[0] == ["项目", "工单数"]
    assert sorted(rows(sheet)[1:]) == [["东桥供电所", 2], ["西岭供电所", 3]]
    entry = AuditEntry.objects.get(kind="export")
    assert entry.data["rows"] == 2 and entry.data["filters"]["table"] == "unit_id"


def test_the_kpis_with_their_terms_and_formulas(built, users, client):
    client.force_login(users["manager"])
    table = {r[0]: r for r in rows(sheet_of(export(client, f"{MARCH}&table=kpis")))[1:]}
    assert table["业务量"][1:5] == [5, "件", None, None]
    # Repeat calls: 1 of 5 orders called twice → 20 %.
    assert table["重复致电率"][1:5] == [20, "%", 1, 5]
    assert table["投诉成立率"][1:5] == [50, "%", 1, 2]
    assert "来电两次及以上的事件数 ÷ 事件数" in table["重复致电率"][5]


def test_days_are_date_cells_and_rates_percent_cells(built, users, client):
    client.force_login(users["manager"])
    sheet = sheet_of(export(client, f"{MARCH}&table=day"))
    first = next(iter(sheet.iter_rows(min_row=2, max_row=2)))
    assert first[0].value == dt.datetime(2026, 3, 16) and first[0].number_format == "yyyy-mm-dd"
    assert first[1].value == 5
    sheet = sheet_of(export(client, f"{MARCH}&table=satisfaction_by_customer_type"))
    assert rows(sheet)[0] == ["项目", "比率", "分子", "分母"]
    cells = list(sheet.iter_rows(min_row=2))
    # Two callbacks reached among urban residents, one satisfied → 50 %.
    assert [c.value for c in cells[0]][1:] == [0.5, 1, 2] and cells[0][1].number_format == "0.0%"


def test_the_unit_head_exports_only_their_subtree(built, users, west_head, client, county):
    client.force_login(west_head)
    sheet = sheet_of(export(client, f"{MARCH}&page=unit&table=unit_id"))
    assert sheet.title == "单位统计看板-按处理单位"
    assert rows(sheet)[1:] == [["西岭供电所", 3]]
    # Another unit's subtree is refused, not exported.
    refused = export(client, f"{MARCH}&unit={county.east.pk}&table=unit_id")
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("analytics:dashboard"))
    # A role without the quality view gets nothing.
    client.force_login(users["agent"])
    assert export(client, f"{MARCH}&table=unit_id").status_code == 403
    assert AuditEntry.objects.filter(kind="export").count() == 1


def test_no_table_holds_personal_data(built, users, client, customer, west_customer):
    from powerdesk.analytics.dashboard_exports import TABLES

    client.force_login(users["manager"])
    found = []
    for code in TABLES:
        response = export(client, f"{MARCH}&table={code}")
        if code in ("outage_notices", "reliability"):  # no outage at all: refused, said why
            assert response.status_code == 302
            continue
        text = " ".join(str(v) for row in rows(sheet_of(response)) for v in row if v is not None)
        personal = ("张三", "李四", "13812345678", "13987654321", customer.account_no, customer.address)
        found += [word for word in personal if word and word in text]
    assert found == []


def test_an_unknown_table_or_bad_filters_export_nothing(built, users, client):
    client.force_login(users["manager"])
    assert export(client, f"{MARCH}&table=secrets").status_code == 302
    assert export(client, "date_from=2026-03-31&date_to=2026-03-01&table=kpis").status_code == 302
    assert not AuditEntry.objects.filter(kind="export").exists()


def test_over_the_threshold_it_is_a_background_job(built, users, client):
    ExportSettings.objects.update(background_rows=1)
    client.force_login(users["manager"])
    response = export(client, f"{MARCH}&table=unit_id")
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("exports:detail", args=[job.pk]) and job.exporter == "dashboard"
    services.export_write_job(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.rows_done) == (ExportState.DONE, 2)
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert sorted(rows(sheet_of(download))[1:]) == [["东桥供电所", 2], ["西岭供电所", 3]]


def test_every_table_on_the_page_has_its_button(built, users, client):
    client.force_login(users["manager"])
    html = client.get(reverse("analytics:dashboard"), dict(p.split("=") for p in MARCH.split("&")))
    html = html.content.decode()
    for code in ("kpis", "hot_spots", "groups", "unit_id", "day", "verdict", "on_time"):
        assert f"table={code}" in html, code
    assert reverse("exports:start", args=["dashboard"]) in html
