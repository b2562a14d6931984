"""Load or import the working-day calendar.

powerdesk calendar --load-package            every year the chinese-calendar package knows
powerdesk calendar --import FILE.csv         rows "YYYY-MM-DD,1|0,name" (1 = working day); each year in
                                             the file is replaced whole and must list all its days
powerdesk calendar --status                  loaded years and the years missing around today
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from powerdesk.core import clock, refcache, workdays
from powerdesk.core.models import CalendarDay, CalendarYear


class Command(BaseCommand):
    help = "Load or import the working-day calendar (statutory holidays and make-up working days)."

    def add_arguments(self, parser):
        parser.add_argument("--load-package", action="store_true")
        parser.add_argument("--import", dest="import_file")
        parser.add_argument("--status", action="store_true")

    def handle(self, *args, **opts):
        if opts["load_package"]:
            years = workdays.load_from_chinese_calendar()
            self.stdout.write(f"loaded {len(years)} years: {years[0]}–{years[-1]}")
        if opts["import_file"]:
            self._import(opts["import_file"])
        if opts["status"] or not (opts["load_package"] or opts["import_file"]):
            this_year = clock.local_date().year
            loaded = list(CalendarYear.objects.order_by("year").values_list("year", flat=True))
            self.stdout.write(f"loaded years: {loaded[0] if loaded else '-'}–{loaded[-1] if loaded else '-'}")
            missing = workdays.missing_years([this_year, this_year + 1])
            self.stdout.write(f"missing: {missing or 'none'}")

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
        for year, days in by_year.items():
            expected = 366 if dt.date(year, 12, 31).timetuple().tm_yday == 366 else 365
            if len({d.date for d in days}) != expected:
                raise CommandError(f"{year}: {len(days)} days listed, {expected} needed")
        with transaction.atomic():
            for year, days in by_year.items():
                CalendarDay.objects.filter(date__year=year).delete()
                CalendarDay.objects.bulk_create(days)
                CalendarYear.objects.update_or_create(year=year, defaults={"source": f"import:{path}"[:50]})
        refcache.clear()  # bulk_create sends no post_save: the watch on CalendarDay does not see it
        self.stdout.write(f"imported years: {sorted(by_year)}")
