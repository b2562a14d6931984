"""The monthly report: issued once and frozen (a later re-open shows in the next month's report), its
contents on the crafted month, who may issue and read it, its page and its PDF (text and a page drawn
to an image)."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import io

import pypdf
import pypdfium2
import pytest
import time_machine
from django.urls import reverse

from powerdesk.analytics import aggregates, measures, reports
from powerdesk.analytics.measures import Scope
from powerdesk.analytics.report_pdf import render_pdf
from powerdesk.analytics.selectors import month_bounds, period_of
from powerdesk.complaints.models import ComplaintRecord, Judgment, Verdict
from powerdesk.core import clock
from powerdesk.core.errors import NotPermitted, ValidationFailed
from powerdesk.workorders import services as s
from powerdesk.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)
APRIL = dt.datetime(2026, 4, 3, 10, 0, tzinfo=clock.BUSINESS_TZ)
MAY = dt.datetime(2026, 5, 4, 10, 0, tzinfo=clock.BUSINESS_TZ)


def issue(user, unit, month=MARCH, at=APRIL):
    with time_machine.travel(at, tick=False):
        return reports.report_issue(user=user, unit=unit, month=month)


def test_the_report_holds_the_months_figures(month, users, county):
    report, new = issue(users["manager"], county.county)
    assert new and report.issued_by == users["manager"]
    figures = report.figures
    assert figures["unit"]["name"] == county.county.name and figures["month"] == "2026-03-01"
    assert figures["kpis"]["current"]["valid_complaints"] == {"value": 1}
    assert figures["kpis"]["current"]["repeat_calls"] == {"value": 20.0, "part": 1, "whole": 5}
    assert figures["volume"]["orders"] == 5
    assert figures["volume"]["by_type"]["complaint"] == 2
    valid = ComplaintRecord.objects.get(judgments__verdict=Verdict.VALID).order
    assert [(c["number"], c["verdict"]) for c in figures["complaints"]] == [(valid.number, "valid")]
    # No February and no March 2025 in the data: the comparison columns say so (None), not zeros.
    assert figures["kpis"]["previous"]["figures"]["valid_complaints"] is None
    assert figures["kpis"]["previous"]["issued"] is False
    areas = {a["name"]: a for a in figures["worst_areas"]}
    assert areas[county.east_area.name]["complaints"] == 1 and areas[county.east_area.name]["customers"] == 1
    # The hot spots come from the dashboards' function when it is installed, never as zeros.
    has_dashboard = importlib.util.find_spec("powerdesk.analytics.hot_spots") is not None
    assert figures["hot_spots"]["available"] is has_dashboard


def test_the_on_time_rate_is_the_clocks_rollup_and_agrees_with_the_measure(month, users, county):
    scope = Scope(users["manager"], county.county)
    raw = measures.compute(period=period_of(*month_bounds(MARCH)), scope=scope, by="unit")["on_time"]
    expected = measures.total("ratio", list(raw.values.values()))
    assert expected.whole  # the crafted month has decided clocks (one on time, one breached)
    aggregates.rebuild()
    report, _new = issue(users["manager"], county.county)
    on_time = report.figures["kpis"]["current"]["on_time"]
    assert on_time == {"value": expected.percent, "part": expected.part, "whole": expected.whole}


def test_before_the_upkeep_has_counted_the_clocks_the_on_time_rate_says_no_data(month, users, county):
    report, _new = issue(users["manager"], county.county)
    assert report.figures["kpis"]["current"]["on_time"] is None


def test_an_issued_report_is_frozen_and_a_later_reopen_shows_in_the_next_one(month, users, county):
    report, _new = issue(users["manager"], county.county)
    stored = copy.deepcopy(report.figures)
    with time_machine.travel(APRIL + dt.timedelta(days=2), tick=False):
        WorkOrder.objects.filter(pk=month.repair_a.pk).update(status="archived")
        order = WorkOrder.objects.get(pk=month.repair_a.pk)
        s.workorder_reopen(order=order, actor=users["dispatcher"], reason="客户说又停电了")
        # And a complaint judged again: the March report keeps what was judged when it was issued.
        record = ComplaintRecord.objects.get(judgments__verdict=Verdict.VALID)
        latest = record.judgments.latest("at")
        Judgment.objects.create(
            record=record,
            checklist=latest.checklist,
            verdict=Verdict.INVALID,
            actor=users["manager"],
            at=clock.now(),
        )
    report.refresh_from_db()
    assert report.figures == stored
    again, new = issue(users["manager"], county.county, at=APRIL + dt.timedelta(days=3))
    assert (again.pk, new) == (report.pk, False) and again.figures == stored

    april, _new = issue(users["manager"], county.county, month=dt.date(2026, 4, 1), at=MAY)
    assert [(r["number"], r["earlier_month"]) for r in april.figures["reopened"]] == [(order.number, True)]
    # Its previous month is the March report as issued, not March computed again.
    assert april.figures["kpis"]["previous"] == {"issued": True, "figures": stored["kpis"]["current"]}


def test_only_finished_months_and_visible_units(month, users, county, west_head):
    with pytest.raises(ValidationFailed):
        issue(users["manager"], county.county, month=dt.date(2026, 4, 1), at=APRIL)
    with pytest.raises(NotPermitted):
        issue(west_head, county.east)
    with pytest.raises(NotPermitted):
        issue(users["agent"], county.county)
    issue(users["manager"], county.east)
    west, _new = issue(west_head, county.west)
    assert west.figures["volume"]["orders"] == 3  # the west repair, complaint and praise
    assert list(reports.reports_visible(user=west_head)) == [west]
    assert reports.reports_visible(user=users["manager"]).count() == 2


def test_the_pages_issue_list_and_show_a_report(month, users, county, client):
    with time_machine.travel(APRIL, tick=False):
        client.force_login(users["manager"])
        bad = client.post(reverse("analytics:reports"), {"unit": county.county.pk, "month": "2026-13"})
        assert bad.status_code == 200 and "请按“年-月”填写月份" in bad.content.decode()
        early = client.post(reverse("analytics:reports"), {"unit": county.county.pk, "month": "2026-04"})
        assert "只能发布已结束月份的报告" in early.content.decode()
        response = client.post(reverse("analytics:reports"), {"unit": county.county.pk, "month": "2026-03"})
    report = reports.reports_visible(user=users["manager"]).get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "analytics:report", args=[report.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert county.county.name in page and "成立的投诉" in page and "主要指标" in page
    listing = client.get(reverse("analytics:reports")).content.decode()
    assert reverse("analytics:report_pdf", args=[report.pk]) in listing
    client.force_login(users["agent"])
    assert client.get(response["Location"]).status_code == 403


def test_the_pdf_has_the_units_name_and_a_page_that_is_not_blank(month, users, county, client):
    report, _new = issue(users["manager"], county.county)
    content = render_pdf(report)
    assert content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert county.county.name in text and "服务质量报告" in text
    first = pypdfium2.PdfDocument(content)[0].render(scale=1).to_pil().convert("L")
    dark = sum(first.histogram()[:200])  # pixels darker than paper
    assert dark > 0.01 * first.width * first.height  # text and charts, not a white page
    client.force_login(users["manager"])
    response = client.get(reverse("analytics:report_pdf", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_cases_assigned_for_learning_in_the_month_are_listed(month, users, county):
    from powerdesk.knowledge import learning
    from powerdesk.knowledge.models import CaseVersion

    version = CaseVersion.objects.filter(state="published").order_by("pk").first()
    assignment = learning.assignment_create(
        actor=users["manager"],
        version=version,
        unit=county.east,
        due_date=clock.local_date() + dt.timedelta(days=7),
    )
    people = assignment.recipients.count()
    report, _new = issue(users["manager"], county.county)
    assert report.figures["learning"] == {
        "available": True,
        "items": [
            {
                "title": version.title,
                "order": "",
                "due": assignment.due_date.isoformat(),
                "people": people,
                "confirmed": 0,
            }
        ],
    }
    assert people > 0
    west, _new = issue(users["manager"], county.west)
    assert west.figures["learning"] == {"available": True, "items": []}


def test_a_cjk_font_installed_after_matplotlib_cached_its_fonts_is_found(monkeypatch):
    """matplotlib caches the fonts it found on first use; one installed later is added from the system."""
    from matplotlib import font_manager

    from powerdesk.analytics import report_pdf

    if not any(m in p.lower() for p in font_manager.findSystemFonts() for m in report_pdf.CJK_FILE_MARKS):
        pytest.skip("no CJK font on this machine (scripts/ensure-fonts.sh installs one)")
    stale = [f for f in font_manager.fontManager.ttflist if f.name not in report_pdf.CJK_FAMILIES]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    assert report_pdf.cjk_family.__wrapped__() in report_pdf.CJK_FAMILIES
