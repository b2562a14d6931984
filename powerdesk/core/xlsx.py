"""Tables as Excel workbooks (.xlsx): one writer for every list and table the console exports.

openpyxl in write-only mode: rows go to the file as they come (memory stays flat over 100,000 rows), the
header row is bold and frozen, and each column has a kind that decides its cell format: whole numbers,
decimals, percentages (the value is a fraction, shown ``0.0%``), dates and times (aware datetimes in the
business time zone, written as Excel's local times, which carry no zone). A text that a spreadsheet would
read as a formula is written as text.

Which columns a table has, and what each row holds, is the owning app's (``core.exports``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from powerdesk.core import clock

TEXT, INTEGER, DECIMAL, PERCENT, DATE, DATETIME = "text", "integer", "decimal", "percent", "date", "datetime"
FORMATS = {
    INTEGER: "0",
    DECIMAL: "0.00",
    PERCENT: "0.0%",
    DATE: "yyyy-mm-dd",
    DATETIME: "yyyy-mm-dd hh:mm",
}
WIDTHS = {TEXT: 16, INTEGER: 10, DECIMAL: 10, PERCENT: 10, DATE: 12, DATETIME: 17}
# Excel refuses sheet names longer than this.
SHEET_NAME_MAX = 31
# Texts a spreadsheet program evaluates when they start the cell (formula injection).
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    """One column: its header (shown as given: translate it before) and kind; ``width`` in characters."""

    header: str
    kind: str = TEXT
    width: int | None = None


Progress = Callable[[int], None]


def local(value: dt.datetime) -> dt.datetime:
    """An aware time as the wall-clock time in the business zone, without a zone (what Excel stores)."""
    if value.tzinfo is not None:
        value = value.astimezone(clock.BUSINESS_TZ)
    return value.replace(tzinfo=None)


class _Cells:
    """Turns a row of values into what the write-only sheet appends: plain values where the default
    format is right (texts, whole numbers), formatted cells for the rest."""

    def __init__(self, sheet: WriteOnlyWorksheet, columns: list[Column]):
        self.sheet = sheet
        self.kinds = [c.kind for c in columns]

    def row(self, values: Iterable[Any]) -> list[Any]:
        out: list[Any] = []
        for kind, value in zip(self.kinds, values, strict=True):
            if value is None or value == "":
                out.append(None)
            elif kind == TEXT:
                text = str(value)
                if text.startswith(FORMULA_STARTS):
                    cell = WriteOnlyCell(self.sheet, value=text)
                    cell.data_type = "s"  # openpyxl would store "=…" as a formula
                    out.append(cell)
                else:
                    out.append(text)
            elif kind == INTEGER and isinstance(value, int):
                out.append(value)
            else:
                if kind == DATETIME and isinstance(value, dt.datetime):
                    value = local(value)
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.number_format = FORMATS.get(kind, "General")
                out.append(cell)
        return out


def write_xlsx(
    target: str | Path | IO[bytes],
    *,
    title: str,
    columns: list[Column],
    rows: Iterable[Iterable[Any]],
    progress: Progress | None = None,
    every: int = 1000,
) -> int:
    """Write ``rows`` (each a sequence of values, in the columns' order) under a header of ``columns``
    into one sheet named ``title``; answers the number of rows written. ``progress`` is called with the
    rows written so far every ``every`` rows (and at the end)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_name(title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width or WIDTHS.get(column.kind, 14)
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
        cell.data_type = "s"
        header.append(cell)
    sheet.append(header)
    cells = _Cells(sheet, columns)
    written = 0
    for values in rows:
        sheet.append(cells.row(values))
        written += 1
        if progress is not None and written % every == 0:
            progress(written)
    if progress is not None:
        progress(written)
    book.save(target)
    return written


def _sheet_name(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip() or "Sheet1"
    return cleaned[:SHEET_NAME_MAX]


CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
