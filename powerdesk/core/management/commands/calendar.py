"""Load, import or check the working-day calendar.

powerdesk calendar --status                  each year: imported, derived (from the holiday rule) or missing
powerdesk calendar --sync                    years of a newer chinese-calendar release replace derived ones;
                                             this year and the next are derived when not imported
powerdesk calendar --import FILE.csv         rows "YYYY-MM-DD,1|0,name" (1 = working day); each year in
                                             the file is replaced whole and must list all its days
powerdesk calendar --load-package            every year the chinese-calendar package knows, reloaded

Whatever changes a year's working days re-times the clocks that counted on them (in the same transaction).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from powerdesk.core import clock, services, workdays
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.models import CalendarDay, CalendarYear


class Command(BaseCommand):
    help = "Load, import or check the working-day calendar (statutory holidays and make-up working days)."

    def add_arguments(self, parser):
        parser.add_argument("--load-package", action="store_true")
        parser.add_argument("--import", dest="import_file")
        parser.add_argument("--sync", action="store_true")
        parser.add_argument("--status", action="store_true")

    def handle(self, *args, **opts):
        if opts["load_package"]:
            years = services.calendar_load_package()
            self.stdout.write(f"loaded {len(years)} years: {years[0]}–{years[-1]}")
        if opts["import_file"]:
            self._import(opts["import_file"])
        if opts["sync"]:
            change = services.calendar_sync()
            self.stdout.write(f"changed: {self._reasons(change) or 'none'}")
        if opts["status"] or not (opts["load_package"] or opts["import_file"] or opts["sync"]):
            self._status()

    @staticmethod
    def _reasons(change: workdays.CalendarChange) -> str:
        return ", ".join(f"{year} ({reason})" for year, reason in sorted(change.reasons.items()))

    def _status(self) -> None:
        this_year = clock.local_date().year
        rows = {y.year: y for y in CalendarYear.objects.all()}
        years = range(min([*rows, this_year]), max([*rows, this_year + 1]) + 1)
        for year, status in workdays.year_statuses(years).items():
            source = rows[year].source if year in rows else ""
            self.stdout.write(f"{year}  {status:<8}  {source}".rstrip())

    def _import(self, path: str) -> None:
        by_year: dict[int, list[CalendarDay]] = defaultdict(list)
        try:
            with open(path, newline="", encoding="utf-8") as fh:
                for lineno, row in enumerate(csv.reader(fh), start=1):
                    if not row or row[0].startswith("#"):
                        continue
                    try:
                        day = dt.date.fromisoformat(row[0].strip())
                        is_workday = row[1].strip() in {"1", "true", "班", "yes"}
                    except (ValueError, IndexError) as exc:
                        raise CommandError(f"line {lineno}: {exc}") from exc
                    name = row[2].strip() if len(row) > 2 else ""
                    by_year[day.year].append(CalendarDay(date=day, is_workday=is_workday, name=name))
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            change = services.calendar_import(days_by_year=by_year, source=f"import:{path}")
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"imported years: {sorted(by_year)}; working days changed: {change.years or 'none'}"
        )
