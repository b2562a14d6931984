"""``powerdesk grid --import FILE`` / ``powerdesk grid --export FILE``: the topology as CSV or Excel (.xlsx),
chosen by the file's extension. An import with errors lists every bad row and writes nothing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from powerdesk.grid import exchange


class Command(BaseCommand):
    help = "Import or export the grid topology (CSV or .xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--import", dest="import_path", metavar="FILE")
        group.add_argument("--export", dest="export_path", metavar="FILE", help="'-' writes CSV to stdout")

    def handle(
        self, *args: Any, import_path: str | None = None, export_path: str | None = None, **options: Any
    ):
        if import_path:
            path = Path(import_path)
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
            data = path.read_bytes()
            try:
                rows = exchange.read_xlsx(data) if path.suffix.lower() == ".xlsx" else exchange.read_csv(data)
                report = exchange.topology_import(rows=rows)
            except exchange.ImportRejected as rejected:
                for e in rejected.errors:
                    self.stderr.write(f"{e.sheet}:{e.line} {e.code or '-'} {e.problem}: {e.message}")
                raise CommandError(rejected.message) from None
            except exchange.ValidationFailed as failed:
                raise CommandError(failed.message) from None
            self.stdout.write(f"created {report.created}, updated {report.updated}, moved {report.moved}")
            return
        assert export_path
        if export_path == "-":
            exchange.write_csv(sys.stdout)
        elif export_path.lower().endswith(".xlsx"):
            Path(export_path).write_bytes(exchange.write_xlsx())
        else:
            with open(export_path, "w", encoding="utf-8", newline="") as out:
                exchange.write_csv(out)
