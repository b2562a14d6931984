"""analytics 0004 moves the 台区 and sub-type counts out of the daily rollup and writes the month rows,
0005 the pooled rows, so that an installation upgraded with rollups in place reads the same figures
without a rebuild."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("analytics", "0003_monthly_report")]
AFTER = [("analytics", "0005_pooled_rollup_rows")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_splits_the_daily_rollup_and_writes_month_rows():
    apps = _migrate(BEFORE)
    daily = apps.get_model("analytics", "DailyRollup")
    zero = {
        f.attname: 0
        for f in daily._meta.concrete_fields
        if f.get_internal_type() == "IntegerField"
        and f.attname not in ("unit_id", "area_id", "topic_id", "sub_type_id")
    }
    cell = {"unit_id": 1, "business_type": "repair", "channel": "95598", "customer_type": "urban_resident"}
    for day, area, sub_type, n in [
        (dt.date(2026, 3, 2), 10, 5, 2),
        (dt.date(2026, 3, 2), 11, 5, 1),
        (dt.date(2026, 3, 20), 10, None, 4),
        (dt.date(2026, 4, 1), None, 6, 3),
    ]:
        daily.objects.create(
            day=day, area_id=area, topic_id=1, sub_type_id=sub_type, **cell, **{**zero, "orders": n}
        )
    apps = _migrate(AFTER)
    area = apps.get_model("analytics", "AreaRollup")
    sub_type = apps.get_model("analytics", "SubTypeRollup")
    daily = apps.get_model("analytics", "DailyRollup")
    days = {(r.day, r.area_id): r.orders for r in area.objects.filter(monthly=False, pooled=False)}
    assert days == {(dt.date(2026, 3, 2), 10): 2, (dt.date(2026, 3, 2), 11): 1, (dt.date(2026, 3, 20), 10): 4}
    months = {(r.day, r.area_id): r.orders for r in area.objects.filter(monthly=True, pooled=False)}
    assert months == {(dt.date(2026, 3, 1), 10): 6, (dt.date(2026, 3, 1), 11): 1}
    by_sub_type = {
        (r.day, r.sub_type_id): r.orders for r in sub_type.objects.filter(monthly=True, pooled=False)
    }
    assert by_sub_type == {
        (dt.date(2026, 3, 1), 5): 3,
        (dt.date(2026, 3, 1), None): 4,
        (dt.date(2026, 4, 1), 6): 3,
    }
    totals = {r.day: r.orders for r in daily.objects.filter(monthly=True, pooled=False)}
    assert totals == {dt.date(2026, 3, 1): 7, dt.date(2026, 4, 1): 3}
    pooled = {(r.day, r.monthly, r.area_id): r.orders for r in area.objects.filter(pooled=True)}
    assert pooled == {
        **{(d, False, a): n for (d, a), n in days.items()},
        **{(d, True, a): n for (d, a), n in months.items()},
    }
    assert set(area.objects.filter(pooled=True).values_list("business_type", "channel", "customer_type")) == {
        ("", "", "")
    }
