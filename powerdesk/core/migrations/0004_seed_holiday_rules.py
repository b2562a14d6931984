"""Seed the holiday rule (全国年节及纪念日放假办法): the amendment in force from 2025-01-01 and the one before."""

import datetime as dt

from django.db import migrations

RULE_2014 = (dt.date(2014, 1, 1), "全国年节及纪念日放假办法（2013年修订，国务院令第644号）")
RULE_2025 = (dt.date(2025, 1, 1), "全国年节及纪念日放假办法（2024年修订，国务院令第795号）")

# (valid_from and source, festival, days, offset of the first day from the festival's own day)
ROWS = [
    (RULE_2014, "new_year", 1, 0),
    (RULE_2014, "spring_festival", 3, 0),  # 初一–初三
    (RULE_2014, "qingming", 1, 0),
    (RULE_2014, "labour_day", 1, 0),
    (RULE_2014, "dragon_boat", 1, 0),
    (RULE_2014, "mid_autumn", 1, 0),
    (RULE_2014, "national_day", 3, 0),
    (RULE_2025, "new_year", 1, 0),
    (RULE_2025, "spring_festival", 4, -1),  # 除夕–初三
    (RULE_2025, "qingming", 1, 0),
    (RULE_2025, "labour_day", 2, 0),
    (RULE_2025, "dragon_boat", 1, 0),
    (RULE_2025, "mid_autumn", 1, 0),
    (RULE_2025, "national_day", 3, 0),
]


def seed(apps, schema_editor):
    HolidayRule = apps.get_model("core", "HolidayRule")
    for (valid_from, source), festival, days, offset in ROWS:
        HolidayRule.objects.update_or_create(
            festival=festival,
            valid_from=valid_from,
            defaults={"days": days, "first_day_offset": offset, "source_note": source},
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_holiday_rules")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
