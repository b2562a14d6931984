"""Exports and the monthly report, timed on the demo county (#16).

``.venv/bin/python bench/exports.py`` uses its own database under ``var/bench-exports``: the demo county
(loaded once, through the real services), whose orders are then copied in SQL (new numbers, same
everything else) until there are ``--rows`` of them (default 100,000). It times, in process:

* the background export of the whole order list as the service manager (masked personal data) —
  ``exports.services.export_write_job``, the worker's code path: the list's query, the rows read in
  chunks, the xlsx written — with the rows per second and the file's size (target: 100,000 rows < 30 s);
* the monthly report of the county for the busiest finished month: computing its figures, then the PDF
  (charts with matplotlib, laid out by WeasyPrint), ``--repeat`` times each (target: PDF < 10 s).

It prints the machine and how busy it was before starting (other work shares this VM).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_VAR_DIR", str(REPO / "var" / "bench-exports"))
sys.path.insert(0, str(REPO))

from bench import common  # noqa: E402  (sets the environment before Django)


def ensure_orders(rows: int) -> int:
    from django.core.management import call_command
    from django.db import connection

    from powerdesk.workorders.models import WorkOrder

    if not WorkOrder.objects.exists():
        started = time.monotonic()
        call_command("demo", verbosity=0)
        common.log(f"loaded the demo county ({time.monotonic() - started:.0f} s)")
    have = WorkOrder.objects.count()
    if have >= rows:
        return have
    table = WorkOrder._meta.db_table
    columns = [f.column for f in WorkOrder._meta.concrete_fields if f.column not in ("id", "number")]
    names = ", ".join(f'"{c}"' for c in columns)
    copies = -(-(rows - have) // have)
    started = time.monotonic()
    with connection.cursor() as cursor:
        # Copies of the demo's own orders (numbers made unique by a suffix), not the demo again.
        cursor.execute(
            f'INSERT INTO "{table}" ({names}, "number") '
            f"SELECT {names}, left(number, 14) || 'C' || g FROM \"{table}\" o, generate_series(1, %s) g "
            f"WHERE o.number NOT LIKE '%%C%%'",
            [copies],
        )
        cursor.execute(f'ANALYZE "{table}"')
    total = WorkOrder.objects.count()
    common.log(f"copied the orders to {total:,} ({time.monotonic() - started:.0f} s)")
    return total


def bench_xlsx(user, params: list[list[str]] | None = None) -> None:
    """The order list (``params``: its query as pairs; default the whole list) written as the worker
    writes a background export."""
    from powerdesk.exports.models import ExportJob
    from powerdesk.exports.services import export_root, export_write_job

    job = ExportJob.objects.create(user=user, exporter="orders", params=params or [["queue", "all"]])
    started = time.monotonic()
    done = export_write_job(job_id=job.pk)
    seconds = time.monotonic() - started
    assert done is not None and done.state == "done", done and done.error
    size = (export_root() / done.file_name).stat().st_size
    print(
        f"xlsx export of the order list: {done.rows_done:,} rows in {seconds:.1f} s "
        f"({done.rows_done / seconds:,.0f} rows/s), {size / 1e6:.1f} MB "
        f"[target < 30 s for 100,000: {'met' if seconds < 30 or done.rows_done < 100_000 else 'NOT met'}]"
    )


def bench_report(user, repeat: int, unit=None, month=None) -> None:
    """The monthly report of ``unit`` (default: the first county) for ``month`` (default: the busiest
    finished month): its figures, then its PDF, ``repeat`` times each."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from powerdesk.analytics import reports
    from powerdesk.analytics.report_pdf import render_pdf
    from powerdesk.analytics.reports_models import MonthlyReport
    from powerdesk.core import clock
    from powerdesk.org.models import Unit, UnitKind
    from powerdesk.workorders.models import WorkOrder

    if month is None:
        this_month = reports.month_start(clock.local_date())
        busiest = (
            WorkOrder.objects.filter(created_at__lt=clock.now().replace(day=1))
            .annotate(m=TruncMonth("created_at", tzinfo=clock.BUSINESS_TZ))
            .values("m")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        month = busiest["m"].date() if busiest else reports.previous_month(this_month)
    unit = unit or Unit.objects.filter(kind=UnitKind.COUNTY).order_by("pk").first()
    assert unit is not None
    figures = []
    for _ in range(repeat):
        started = time.monotonic()
        reports.report_figures(user=user, unit=unit, month=month)
        figures.append(time.monotonic() - started)
    MonthlyReport.objects.filter(unit=unit, month=month).delete()
    report, _new = reports.report_issue(user=user, unit=unit, month=month)
    pdfs = []
    size = 0
    for _ in range(repeat):
        started = time.monotonic()
        size = len(render_pdf(report))
        pdfs.append(time.monotonic() - started)
    orders = report.figures["volume"]["orders"]
    print(
        f"monthly report {unit.name} {month:%Y-%m} ({orders:,} orders): figures median "
        f"{statistics.median(figures):.2f} s (max {max(figures):.2f}); PDF median {statistics.median(pdfs):.2f} s "
        f"(max {max(pdfs):.2f}, first {pdfs[0]:.2f}), {size / 1e3:.0f} kB "
        f"[target PDF < 10 s: {'met' if max(pdfs) < 10 else 'NOT met'}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="orders in the list exported")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the report figures and PDF")
    parser.add_argument("--keep-server", action="store_true", help="leave the bench PostgreSQL running")
    args = parser.parse_args()
    common.log(f"machine: {common.machine_facts()}; busy before start: {common.cpu_busy():.0%}")
    common.django_setup()
    common.migrate()
    try:
        ensure_orders(args.rows)
        from powerdesk.org.models import User

        manager = User.objects.get(username="manager")
        bench_report(manager, args.repeat)
        bench_xlsx(manager)
    finally:
        if not args.keep_server:
            common.stop_database()


if __name__ == "__main__":
    main()
