"""powerdesk calendar: each year's status, the sync, and an import from a CSV file."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from powerdesk.core import refcache, services, workdays
from powerdesk.core.models import HolidayRule
from tests.sla.helpers import T0

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    refcache.clear()
    yield
    refcache.clear()


def run(*args):
    out = io.StringIO()
    with time_machine.travel(T0, tick=False):
        call_command("calendar", *args, stdout=out)
    return out.getvalue()


def status_lines():
    return {line.split()[0]: line.split()[1] for line in run("--status").splitlines()}


def test_the_status_shows_each_year_imported_derived_or_missing():
    assert status_lines()["2027"] == "missing"
    run("--sync")
    lines = status_lines()
    assert (lines["2004"], lines["2026"], lines["2027"]) == ("imported", "imported", "derived")
    assert "2027  derived   rule 2025-01-01" in run("--status")


def test_the_sync_says_which_years_changed_and_why():
    assert run("--sync").strip() == "changed: 2027 (derived)"
    assert run("--sync").strip() == "changed: none"


def test_an_imported_csv_replaces_the_derived_year(tmp_path):
    run("--sync")
    days = services.derived_days(2027, HolidayRule.objects.all())
    lines = [f"{d.date},{int(d.is_workday or d.date == dt.date(2027, 2, 13))},{d.name}" for d in days]
    path = tmp_path / "2027.csv"
    header = "# 国务院办公厅关于2027年部分节假日安排的通知"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    assert "working days changed: [2027]" in run("--import", str(path))
    assert workdays.year_status(2027) == "imported" and workdays.is_workday(dt.date(2027, 2, 13))


def test_an_incomplete_year_in_a_csv_is_refused(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("2027-01-01,0,元旦\n", encoding="utf-8")
    with pytest.raises(CommandError, match="2027"):
        run("--import", str(path))
    assert workdays.year_status(2027) == "missing"
