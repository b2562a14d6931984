"""The demo issues last month's monthly report of the county and of each station, so the report list is
not empty after the first start; each is frozen with the month's figures."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.analytics.reports_models import MonthlyReport
from powerdesk.org.models import Unit
from tests.demo.conftest import NOW, load_small

pytestmark = pytest.mark.django_db


def test_the_demo_issues_last_months_reports():
    summary = load_small(seed=5, orders=80)
    county = Unit.objects.get(kind="county")
    stations = Unit.objects.filter(parent=county, kind="station")
    reports = MonthlyReport.objects.all()
    assert summary.reports == reports.count() == 1 + stations.count()
    assert {r.unit_id for r in reports} == {county.pk, *stations.values_list("pk", flat=True)}
    assert {r.month for r in reports} == {dt.date(2026, 5, 1)}  # NOW is in June 2026
    county_report = reports.get(unit=county)
    assert county_report.figures["volume"]["orders"] > 0
    assert county_report.issued_at <= NOW
