"""Load the working-day calendar for every year the chinese-calendar package knows."""

import datetime as dt

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def load(apps, schema_editor):
    from chinese_calendar import constants

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    rows = []
    for year in years:
        day = dt.date(year, 1, 1)
        while day.year == year:
            if day in constants.workdays:
                rows.append(CalendarDay(date=day, is_workday=True, name=NAMES.get(str(constants.workdays[day]), "") + "调休"))
            elif day in constants.holidays:
                rows.append(CalendarDay(date=day, is_workday=False, name=NAMES.get(str(constants.holidays[day]), "")))
            else:
                rows.append(CalendarDay(date=day, is_workday=day.weekday() < 5, name=""))
            day += dt.timedelta(days=1)
    CalendarDay.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    for year in years:
        CalendarYear.objects.update_or_create(year=year, defaults={"source": "chinese-calendar"})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
