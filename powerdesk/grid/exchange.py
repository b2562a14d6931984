"""Import and export of the topology: CSV (one file, every level, a ``kind`` column) and Excel (one sheet
per level). The columns are the same everywhere: ``code, name, kind, parent_code, ownership, area_code``.

An import is checked whole before anything is written: every bad row is reported (with its sheet and line)
and nothing is imported while one remains. A row whose code exists updates that device (a changed parent is
a re-parenting, kept in the history); a new code creates one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core.errors import ValidationFailed
from powerdesk.grid import rules
from powerdesk.grid.models import Device, DeviceKind, Ownership
from powerdesk.grid.services import device_reparent
from powerdesk.org.models import Unit, UnitKind

COLUMNS = ["code", "name", "kind", "parent_code", "ownership", "area_code"]

# The Excel workbook's sheets, top of the tree first, and the kinds each holds.
SHEETS: list[tuple[str, frozenset[str]]] = [
    ("substations", frozenset({"substation"})),
    ("feeders", frozenset({"feeder"})),
    ("switching", rules.SWITCHING),
    ("transformers", frozenset({"transformer"})),
    ("meter_points", frozenset({"meter_point"})),
]
SHEET_OF = {kind: sheet for sheet, kinds in SHEETS for kind in kinds}


@dataclass
class Row:
    sheet: str  # "csv" for a CSV file
    line: int  # as the user sees it in their editor: the header is line 1
    code: str
    name: str
    kind: str
    parent_code: str = ""
    ownership: str = ""
    area_code: str = ""


@dataclass
class RowError:
    sheet: str
    line: int
    code: str
    problem: str  # a stable code: duplicate, unknown_parent, cycle, bad_kind, …
    message: str


@dataclass
class Report:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    moved: int = 0


class ImportRejected(ValidationFailed):
    code = "import_rejected"

    def __init__(self, errors: list[RowError]):
        super().__init__(_("导入文件有 %(n)d 处错误，未导入任何数据。") % {"n": len(errors)})
        self.errors = errors


# --- reading ------------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel turns a numeric code into a float
    return str(value).strip()


def _rows(sheet: str, records: Iterable[Iterable[Any]]) -> Iterator[Row]:
    records = iter(records)
    header = [_cell(h).lower() for h in next(records, [])]
    missing = [c for c in ("code", "name", "kind") if c not in header]
    if missing and sheet == "csv":
        raise ValidationFailed(_("文件缺少列：%(cols)s") % {"cols": ", ".join(missing)}, code="bad_header")
    for line, record in enumerate(records, start=2):
        values = dict(zip(header, (_cell(v) for v in record), strict=False))
        if not any(values.values()):
            continue
        yield Row(sheet=sheet, line=line, **{c: values.get(c, "") for c in COLUMNS})


def read_csv(data: bytes) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")  # saved from a Chinese Excel
    return list(_rows("csv", csv.reader(io.StringIO(text))))


def read_xlsx(data: bytes) -> list[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
        raise ValidationFailed(_("无法读取该 Excel 文件。"), code="bad_file") from error
    rows: list[Row] = []
    for sheet in book.worksheets:
        rows.extend(_rows(sheet.title, sheet.iter_rows(values_only=True)))
    return rows


# --- checking -----------------------------------------------------------------------------------------


def check(
    rows: list[Row], existing: Mapping[str, tuple[str, str | None]], area_codes: set[str]
) -> list[RowError]:
    """Every problem of every row, against the devices already stored (code → kind, parent code) and the
    台区 codes. Pure: the caller reads the database."""
    errors: list[RowError] = []

    def bad(row: Row, problem: str, message: str) -> None:
        errors.append(RowError(row.sheet, row.line, row.code, problem, message))

    seen: dict[str, Row] = {}
    for row in rows:
        if not row.code or not row.name:
            bad(row, "missing", _("设备编码和名称必填。"))
        elif row.code in seen:
            first = seen[row.code]
            bad(
                row,
                "duplicate",
                _("设备编码重复（与 %(sheet)s 第 %(line)d 行）。")
                % {"sheet": first.sheet, "line": first.line},
            )
        else:
            seen[row.code] = row
    kinds = {code: kind for code, (kind, _parent) in existing.items()} | {
        r.code: r.kind for r in seen.values()
    }
    parents = {code: parent for code, (_kind, parent) in existing.items()}
    for row in seen.values():
        parents[row.code] = row.parent_code or None
    for row in seen.values():
        if row.kind not in DeviceKind.values:
            bad(row, "bad_kind", _("设备类别“%(kind)s”无效。") % {"kind": row.kind})
            continue
        if row.sheet != "csv" and row.kind not in dict(SHEETS).get(row.sheet, frozenset({row.kind})):
            bad(row, "bad_kind", _("该类设备不应在此工作表中。"))
        if row.code in existing and existing[row.code][0] != row.kind:
            bad(row, "bad_kind", _("已有设备的类别不能更改。"))
        if row.parent_code and row.parent_code not in kinds:
            bad(row, "unknown_parent", _("上级设备“%(code)s”不存在。") % {"code": row.parent_code})
        elif not rules.parent_allowed(row.kind, kinds.get(row.parent_code) if row.parent_code else None):
            bad(row, "bad_parent", _("该类设备不能接在此上级设备之下。"))
        if row.kind == "transformer":
            if row.ownership not in Ownership.values:
                bad(row, "bad_ownership", _("配电变压器的产权须为 public（公变）或 dedicated（专变）。"))
            elif row.ownership == Ownership.PUBLIC and row.area_code not in area_codes:
                bad(row, "unknown_area", _("公变须填写存在的台区编码。"))
            elif row.ownership == Ownership.DEDICATED and row.area_code:
                bad(row, "bad_ownership", _("专变不属于台区，请留空台区编码。"))
        elif row.ownership or row.area_code:
            bad(row, "bad_ownership", _("只有配电变压器填写产权和台区。"))
    for code in sorted(rules.find_cycles(parents)):
        if code in seen:
            bad(seen[code], "cycle", _("上级关系形成环路。"))
    errors.sort(key=lambda e: (e.sheet, e.line))
    return errors


# --- writing ------------------------------------------------------------------------------------------


def _depth(code: str, parents: dict[str, str | None]) -> int:
    depth = 0
    node = parents.get(code)
    while node is not None:
        depth += 1
        node = parents.get(node)
    return depth


@transaction.atomic
def topology_import(*, rows: list[Row], by: Any = None) -> Report:
    """Check ``rows`` whole; raise ``ImportRejected`` with every error, or write them all."""
    existing = {
        code: (kind, parent)
        for code, kind, parent in Device.objects.values_list("code", "kind", "parent__code").iterator(10_000)
    }
    areas = dict(Unit.objects.filter(kind=UnitKind.AREA).values_list("code", "id"))
    errors = check(rows, existing, set(areas))
    if errors:
        raise ImportRejected(errors)
    report = Report()
    parents = {code: parent for code, (_kind, parent) in existing.items()} | {
        r.code: r.parent_code or None for r in rows
    }
    ids: dict[str, int] = {}
    # Parents before children: the database writes a device's path from its parent's on insert.
    for row in sorted(rows, key=lambda r: _depth(r.code, parents)):
        parent_id = ids.get(row.parent_code) if row.parent_code else None
        if row.parent_code and parent_id is None:
            parent_id = Device.objects.values_list("pk", flat=True).get(code=row.parent_code)
            ids[row.parent_code] = parent_id
        values = {
            "name": row.name,
            "ownership": row.ownership if row.kind == "transformer" else "",
            "area_id": areas.get(row.area_code) if row.ownership == Ownership.PUBLIC else None,
        }
        if row.code in existing:
            device = Device.objects.get(code=row.code)
            Device.objects.filter(pk=device.pk).update(**values)
            report.updated += 1
            if device.parent_id != parent_id:
                new_parent = Device.objects.get(pk=parent_id) if parent_id else None
                device_reparent(device=device, new_parent=new_parent, by=by, reason=_("拓扑导入"))
                report.moved += 1
        else:
            device = Device.objects.create(code=row.code, kind=row.kind, parent_id=parent_id, **values)
            report.created += 1
        ids[row.code] = device.pk
    return report


# --- export -------------------------------------------------------------------------------------------


def export_rows() -> Iterator[list[str]]:
    """Every device, parents before children, in the import's columns."""
    devices = Device.objects.order_by("path").values_list(
        "code", "name", "kind", "parent__code", "ownership", "area__code"
    )
    for values in devices.iterator(10_000):
        yield [v or "" for v in values]


def write_csv(out: io.StringIO | Any) -> None:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(export_rows())


def write_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets = {}
    for name, _kinds in SHEETS:
        sheets[name] = book.create_sheet(name)
        sheets[name].append(COLUMNS)
    for values in export_rows():
        sheets[SHEET_OF[values[2]]].append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
