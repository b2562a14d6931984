"""Import and export: every bad row reported and nothing written; the export reads back the same."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from powerdesk.grid import exchange
from powerdesk.grid.models import Device, DeviceParentHistory
from tests.factories import AreaFactory
from tests.grid import topology

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,parent_code,ownership,area_code\n"


def csv_rows(body: str) -> list[exchange.Row]:
    return exchange.read_csv((HEADER + body).encode())


def test_a_good_file_is_imported_parents_first_whatever_the_order():
    area = AreaFactory(code="A-01")
    rows = csv_rows(
        "T1,一号配变,transformer,SW1,public,A-01\n"
        "M1,计量点,meter_point,T1,,\n"
        "S1,城东变,substation,,,\n"
        "F1,城东线,feeder,S1,,\n"
        "SW1,分段开关,switch,F1,,\n"
        "T9,专变,transformer,F1,dedicated,\n"
    )
    report = exchange.topology_import(rows=rows)
    assert (report.created, report.updated) == (6, 0)
    t1 = Device.objects.get(code="T1")
    assert t1.area == area and t1.path.startswith(Device.objects.get(code="S1").path)


def test_every_bad_row_is_reported_and_nothing_is_imported():
    AreaFactory(code="A-01")
    rows = csv_rows(
        "S1,城东变,substation,,,\n"
        "F1,城东线,feeder,S1,,\n"
        "F1,重复线,feeder,S1,,\n"  # line 4: duplicate
        "SW1,开关,switch,NOPE,,\n"  # line 5: unknown parent
        "X1,灯,lamp,F1,,\n"  # line 6: bad kind
        "C1,环一,switch,C2,,\n"  # lines 7-8: a cycle
        "C2,环二,switch,C1,,\n"
        "T1,配变,transformer,F1,public,ZZ\n"  # line 9: unknown 台区
        "M1,计量点,meter_point,F1,,\n"  # line 10: a meter point under a feeder
        ",无编码,feeder,S1,,\n"  # line 11: no code
        "T2,专变,transformer,F1,dedicated,A-01\n"  # line 12: a 专变 with a 台区
        "SW2,开关,switch,F1,public,\n"  # line 13: ownership on a switch
    )
    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.topology_import(rows=rows)
    got = {(e.line, e.problem) for e in rejected.value.errors}
    assert got == {
        (4, "duplicate"),
        (5, "unknown_parent"),
        (6, "bad_kind"),
        (7, "cycle"),
        (8, "cycle"),
        (9, "unknown_area"),
        (10, "bad_parent"),
        (11, "missing"),
        (12, "bad_ownership"),
        (13, "bad_ownership"),
    }
    assert not Device.objects.exists()


def test_a_cycle_through_stored_devices_is_found():
    net = topology.build()
    # SW1 under FU1, which sits under SW1 in the stored tree.
    rows = csv_rows("SW1,开关,switch,FU1,,\n")
    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.topology_import(rows=rows)
    assert [e.problem for e in rejected.value.errors] == ["cycle"]
    assert Device.objects.get(code="SW1").parent == net["F1"]


def test_a_changed_parent_is_a_move_with_history():
    net = topology.build()
    report = exchange.topology_import(rows=csv_rows("FU1,熔断器,fuse,F2,,\n"))
    assert (report.updated, report.moved) == (1, 1)
    assert Device.objects.get(code="FU1").parent == net["F2"]
    assert DeviceParentHistory.objects.get().old_parent == net["SW1"]


def test_csv_export_round_trip():
    topology.build()
    out = io.StringIO()
    exchange.write_csv(out)
    first = out.getvalue()
    rows = exchange.read_csv(first.encode())
    assert len(rows) == Device.objects.count()
    report = exchange.topology_import(rows=rows)
    assert (report.created, report.updated, report.moved) == (0, len(rows), 0)
    again = io.StringIO()
    exchange.write_csv(again)
    assert again.getvalue() == first


def test_excel_export_has_a_sheet_per_level_and_reads_back():
    topology.build()
    data = exchange.write_xlsx()
    rows = exchange.read_xlsx(data)
    assert {r.sheet for r in rows} == {"substations", "feeders", "switching", "transformers", "meter_points"}
    assert sorted(r.code for r in rows) == sorted(Device.objects.values_list("code", flat=True))
    assert exchange.topology_import(rows=rows).moved == 0


def test_an_excel_row_on_the_wrong_sheet_is_reported():
    book = Workbook()
    sheet = book.active
    sheet.title = "feeders"
    sheet.append(exchange.COLUMNS)
    sheet.append(["S1", "变电站", "substation", None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.topology_import(rows=exchange.read_xlsx(buffer.getvalue()))
    assert [(e.sheet, e.line, e.problem) for e in rejected.value.errors] == [("feeders", 2, "bad_kind")]


def test_the_management_command(tmp_path, capsys):
    topology.build()
    path = tmp_path / "grid.xlsx"
    call_command("grid", "--export", str(path))
    assert path.stat().st_size > 0
    call_command("grid", "--import", str(path))
    assert "created 0" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "X,X,lamp,,,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("grid", "--import", str(bad))
    assert "bad_kind" in capsys.readouterr().err
