"""How an issued monthly report reads: its stored codes and numbers worded in the reader's language
(the page and the PDF share this)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from powerdesk.analytics.measures import MEASURES
from powerdesk.analytics.reports_models import MonthlyReport
from powerdesk.complaints.models import Verdict
from powerdesk.workorders.choices import BusinessType


@dataclass(frozen=True)
class KpiLine:
    code: str
    label: str
    definition: str
    kind: str
    current: str
    previous: str
    last_year: str
    change: str  # against the previous month, in the measure's unit
    current_value: float | None
    previous_value: float | None
    last_year_value: float | None


def figure_text(kind: str, figure: dict[str, Any] | None) -> str:
    if figure is None:
        return _("无数据")
    value = figure.get("value")
    if value is None:
        return "—"
    if kind == "ratio":
        return f"{value}%（{figure.get('part')}/{figure.get('whole')}）"
    if kind == "mean":
        return _("%(value)s 分（%(n)s 份）") % {"value": value, "n": figure.get("count")}
    return str(value)


def _value(figure: dict[str, Any] | None) -> float | None:
    if figure is None or figure.get("value") is None:
        return None
    return float(figure["value"])


def _change(kind: str, now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "—"
    delta = round(now - before, 2)
    unit = _("个百分点") if kind == "ratio" else ""
    sign = "+" if delta > 0 else ""
    return f"{sign}{delta:g}{unit}"


def kpi_lines(report: MonthlyReport) -> list[KpiLine]:
    kpis = report.figures["kpis"]
    lines = []
    for code, figure in kpis["current"].items():
        measure = MEASURES.get(code)
        kind = measure.kind if measure else "count"
        previous = kpis["previous"]["figures"].get(code)
        last_year = kpis["last_year"]["figures"].get(code)
        lines.append(
            KpiLine(
                code=code,
                label=str(measure.label) if measure else code,
                definition=str(measure.definition) if measure else "",
                kind=kind,
                current=figure_text(kind, figure),
                previous=figure_text(kind, previous),
                last_year=figure_text(kind, last_year),
                change=_change(kind, _value(figure), _value(previous)),
                current_value=_value(figure),
                previous_value=_value(previous),
                last_year_value=_value(last_year),
            )
        )
    return lines


def volume_lines(report: MonthlyReport) -> list[tuple[str, int]]:
    labels = dict(BusinessType.choices)
    by_type = report.figures["volume"]["by_type"]
    return [(str(labels.get(code, code)), n) for code, n in by_type.items() if n]


def daily(report: MonthlyReport) -> list[tuple[dt.date, int]]:
    return [(dt.date.fromisoformat(day), n) for day, n in report.figures["volume"]["daily"]]


def complaints(report: MonthlyReport) -> list[dict[str, Any]]:
    verdicts = dict(Verdict.choices)
    return [
        {**c, "verdict_label": str(verdicts.get(c["verdict"], c["verdict"])), "accepted": c["accepted"][:16]}
        for c in report.figures["complaints"]
    ]


def context(report: MonthlyReport) -> dict[str, Any]:
    figures = report.figures
    month = dt.date.fromisoformat(figures["month"])
    kpis = figures["kpis"]
    return {
        "report": report,
        "unit_name": figures["unit"]["name"],
        "month": month,
        "previous_month": dt.date.fromisoformat(kpis["previous_month"]),
        "last_year_month": dt.date.fromisoformat(kpis["last_year_month"]),
        "previous_issued": kpis["previous"]["issued"],
        "last_year_issued": kpis["last_year"]["issued"],
        "kpis": kpi_lines(report),
        "orders": figures["volume"]["orders"],
        "volume": volume_lines(report),
        "hot_spots": figures["hot_spots"],
        "worst_areas": figures["worst_areas"],
        "complaints": complaints(report),
        "reopened": figures["reopened"],
        "learning": figures["learning"],
    }
