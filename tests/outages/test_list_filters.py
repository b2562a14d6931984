"""The outage list's filters (the dashboards link to it with them): unit subtree, start days, state and a
late notice select among every outage; bad values are reported in Chinese, never a 500; the Excel export
takes the same selection."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from powerdesk.core import clock
from powerdesk.outages.models import Outage, OutageSource, OutageState

pytestmark = pytest.mark.django_db


def make(number, unit, start, *, state=OutageState.CONFIRMED, flagged=False, begun=True):
    return Outage.objects.create(
        number=number,
        kind="planned",
        state=state,
        source=OutageSource.DISPATCHER,
        title=number,
        unit=unit,
        planned_start=start,
        actual_start=start if begun else None,
        actual_end=start + dt.timedelta(hours=2) if begun else None,
        notice_flagged=flagged,
        created_at=start,
    )


@pytest.fixture
def outages(county):
    june = dt.datetime(2026, 6, 10, 8, tzinfo=clock.BUSINESS_TZ)
    make("E-LATE", county.east, june, flagged=True)
    make("E-OK", county.east, june)
    make("E-PLANNED", county.east, june + dt.timedelta(days=18), begun=False)
    make("E-REJECTED", county.east, june, state=OutageState.REJECTED)
    make("W-LATE", county.west, june, flagged=True)
    make("E-MAY", county.east, june - dt.timedelta(days=30))
    # Just before midnight of 30 June in Beijing (16:30 UTC): still June.
    make("E-LAST", county.east, dt.datetime(2026, 6, 30, 23, 30, tzinfo=clock.BUSINESS_TZ))


def numbers(html: str) -> set[str]:
    return {
        n for n in ("E-LATE", "E-OK", "E-PLANNED", "E-REJECTED", "W-LATE", "E-MAY", "E-LAST") if n in html
    }


def test_the_filters_select_among_every_outage(outages, users, client, county):
    client.force_login(users["agent"])
    june = {"date_from": "2026-06-01", "date_to": "2026-06-30", "state": "confirmed"}
    page = client.get(reverse("outages:list"), {**june, "unit": county.east.pk}).content.decode()
    assert numbers(page) == {"E-LATE", "E-OK", "E-PLANNED", "E-LAST"}  # planned start when not begun
    assert "共 4 次停电" in page
    page = client.get(reverse("outages:list"), {**june, "notice": "late"}).content.decode()
    assert numbers(page) == {"E-LATE", "W-LATE"}


def test_bad_filters_are_reported_in_chinese(outages, users, client):
    client.force_login(users["agent"])
    page = client.get(reverse("outages:list"), {"date_from": "2026-13-01", "unit": "999999", "notice": "x"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "请输入有效的日期" in html and "请选择有效的单位" in html and "通知筛选无效" in html


def test_the_export_takes_the_same_selection(outages, users, client, county, settings, tmp_path):
    settings.POWERDESK_EXPORT_ROOT = tmp_path
    client.force_login(users["agent"])
    query = f"date_from=2026-06-01&date_to=2026-06-30&state=confirmed&notice=late&unit={county.east.pk}"
    response = client.post(reverse("exports:start", args=["outages"]), {"query": query})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["E-LATE"]
