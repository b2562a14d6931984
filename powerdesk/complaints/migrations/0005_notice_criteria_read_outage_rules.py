"""The notice criteria of the arrears-disconnection and planned-outage checklists stop carrying the
notice figures (7 days ahead for residents; 3 days and again 1 hour before for others; 7 days for a
planned outage): those are the outages app's ``NoticeRule`` rows, which the checklist now reads. The
criterion names the outage kinds its complaint is about; the arrears one keeps the overdue days, a figure
of its own."""

from django.db import migrations

# checklist, params, text
NEW = [
    (
        "arrears_disconnection_notice",
        {"outage_kinds": ["arrears"], "min_overdue_days": 30},
        "停电不合规定：电费逾期未超过 30 天，或未按“停电通知规则”（欠费停电）的提前时间通知、临近停电再次通知",
    ),
    (
        "planned_outage_notice",
        {"outage_kinds": ["planned", "temporary"]},
        "停电公告未按“停电通知规则”（计划停电、临时停电）的提前时间发布或未送达客户",
    ),
]

OLD = [
    (
        "arrears_disconnection_notice",
        {"min_overdue_days": 30, "residential_days": 7, "non_residential_days": 3, "final_notice_hours": 1},
        "停电不合规定：电费逾期未超过 30 天，或未按时通知（居民提前 7 天；非居民提前 3 天，并在停电前 1 小时再次通知）",
    ),
    ("planned_outage_notice", {"notice_days": 7}, "停电公告未提前 7 天发布或未送达客户所在区域"),
]


def _apply(apps, rows):
    Criterion = apps.get_model("complaints", "Criterion")
    for checklist, params, text in rows:
        Criterion.objects.filter(checklist__code=checklist, code="notice_missing").update(params=params, text=text)


def forward(apps, schema_editor):
    _apply(apps, NEW)


def backward(apps, schema_editor):
    _apply(apps, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_repair_staff_attitude_any_topic"),
        ("outages", "0002_seed_rules"),
    ]
    operations = [migrations.RunPython(forward, backward)]
