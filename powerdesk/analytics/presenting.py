"""How the quality table reads: each figure as text (with its terms), its link to the order list where
the list can express the same selection, and the rows of the CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from powerdesk.analytics.measures import Mean, Ratio
from powerdesk.analytics.selectors import QualityTable, Row


@dataclass(frozen=True)
class Cell:
    text: str
    detail: str = ""  # the terms of a rate or mean ("12 / 15")
    link: str = ""


def figure_text(kind: str, figure: Any) -> tuple[str, str]:
    """The figure and its terms; "—" when there is nothing to count for this row."""
    if figure is None:
        return "—", ""
    if kind == "ratio":
        assert isinstance(figure, Ratio)
        return ("—" if figure.percent is None else f"{figure.percent}%"), f"{figure.part} / {figure.whole}"
    if kind == "mean":
        assert isinstance(figure, Mean)
        return ("—" if figure.value is None else f"{figure.value}"), _("%(n)s 份") % {"n": figure.count}
    return str(figure), ""


def order_list_link(table: QualityTable, row: Row, code: str) -> str:
    """The order list with the same selection, when it can express it: the orders accepted in the period
    (the repeat-call rate's denominator) of one handling unit (its own orders: the list's unit filter
    does not take the subtree), or of the whole scope. Other figures count by judgment, credit, handler
    or clock, which the list does not filter by: they get no link."""
    if code != "repeat_calls":
        return ""
    params = {
        "queue": "all",
        "date_from": table.period.first.isoformat(),
        "date_to": table.period.last.isoformat(),
    }
    if row.key is None:
        if table.unit is not None:
            return ""
    elif table.by == "unit":
        params["unit"] = str(row.key)
    else:
        return ""
    return f"{reverse('workorders:list')}?{urlencode(params)}"


def cells(table: QualityTable, row: Row) -> list[Cell]:
    out = []
    for m in table.measures:
        text, detail = figure_text(m.kind, row.figures.get(m.code))
        link = order_list_link(table, row, m.code) if row.figures.get(m.code) is not None else ""
        out.append(Cell(text, detail, link))
    return out


def csv_rows(table: QualityTable) -> Iterator[list[Any]]:
    """The table as the page shows it, each rate followed by its terms, the totals last."""
    header = [_("员工") if table.by == "staff" else _("单位"), _("所属单位")]
    for m in table.measures:
        header.append(str(m.label))
        if m.kind == "ratio":
            header += [_("%(label)s·分子") % {"label": m.label}, _("%(label)s·分母") % {"label": m.label}]
        elif m.kind == "mean":
            header.append(_("%(label)s·份数") % {"label": m.label})
    yield header
    for row in [*table.rows, table.totals]:
        line: list[Any] = [_text(row.name), _text(row.unit)]
        for m in table.measures:
            figure = row.figures.get(m.code)
            if m.kind == "ratio":
                line += [""] * 3 if figure is None else [_pct(figure.percent), figure.part, figure.whole]
            elif m.kind == "mean":
                line += [""] * 2 if figure is None else [_num(figure.value), figure.count]
            else:
                line.append("" if figure is None else figure)
        yield line


def _text(value: str) -> str:
    """A name as a spreadsheet cell: one starting like a formula is quoted so a spreadsheet shows it
    rather than evaluating it (names are typed by administrators, but the file travels)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value}"


def _num(value: float | None) -> str:
    return "" if value is None else f"{value}"
