"""Seed the notice rules, the default restoration durations and the outage message templates (data:
administrators change them in the admin)."""

from django.db import migrations

# kind, audience, lead (minutes), repeat shortly before (minutes; 0 none), template
NOTICE_RULES = [
    ("planned", "all", 7 * 24 * 60, 0, "outage_planned_notice"),
    ("temporary", "important", 24 * 60, 60, "outage_temporary_notice"),
    ("arrears", "residential", 7 * 24 * 60, 0, "outage_arrears_notice"),
    ("arrears", "non_residential", 3 * 24 * 60, 60, "outage_arrears_notice"),
    ("rationing", "all", 24 * 60, 0, "outage_rationing_notice"),
]

# device kind ("" = any), minutes, restored outages needed before history is used
ETR_DEFAULTS = [
    ("", 240, 5),
    ("substation", 180, 5),
    ("feeder", 180, 5),
    ("switch", 150, 5),
    ("recloser", 120, 5),
    ("fuse", 120, 5),
    ("transformer", 240, 5),
    ("meter_point", 90, 5),
]

# code, name, category, body
TEMPLATES = [
    (
        "outage_planned_notice",
        "计划停电通知",
        "legal_outage_notice",
        "【国网供电】因{{ reason|default:'电网检修' }}，您所在区域将于{{ start }}至{{ end }}停电，请提前做好安排。停电编号{{ outage_number }}。",
    ),
    (
        "outage_temporary_notice",
        "临时停电通知（重要客户）",
        "legal_outage_notice",
        "【国网供电】因{{ reason|default:'临时检修' }}，贵单位供电线路将于{{ start }}起临时停电，预计{{ end }}恢复，请启用备用电源。停电编号{{ outage_number }}。",
    ),
    (
        "outage_arrears_notice",
        "欠费停电通知",
        "legal_outage_notice",
        "【国网供电】您的户号电费尚未结清，如未及时缴费，将于{{ start }}起停止供电。缴清后将尽快恢复供电。",
    ),
    (
        "outage_rationing_notice",
        "有序用电通知",
        "legal_outage_notice",
        "【国网供电】按有序用电方案，贵单位将于{{ start }}至{{ end }}错峰让电，请合理安排生产。",
    ),
    (
        "outage_fault_etr",
        "故障停电告知",
        "restoration",
        "【国网供电】您所在区域因故障停电，抢修人员正在处理，预计{{ etr }}前恢复供电，无需重复报修。",
    ),
    (
        "outage_etr_changed",
        "预计复电时间变更",
        "restoration",
        "【国网供电】您所在区域的故障停电预计复电时间调整为{{ etr }}，给您带来不便，敬请谅解。",
    ),
    (
        "outage_restored",
        "恢复供电告知",
        "restoration",
        "【国网供电】您所在区域已于{{ restored_at }}恢复供电。如仍无电，请致电95598。",
    ),
]


def seed(apps, schema_editor):
    NoticeRule = apps.get_model("outages", "NoticeRule")
    EtrDefault = apps.get_model("outages", "EtrDefault")
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    for kind, audience, lead, repeat, template in NOTICE_RULES:
        NoticeRule.objects.get_or_create(
            kind=kind,
            audience=audience,
            defaults={"lead_minutes": lead, "repeat_minutes": repeat, "template_code": template},
        )
    for device_kind, minutes, samples in ETR_DEFAULTS:
        EtrDefault.objects.get_or_create(
            device_kind=device_kind, defaults={"minutes": minutes, "history_min_samples": samples}
        )
    for code, name, category, body in TEMPLATES:
        NotificationTemplate.objects.get_or_create(
            code=code, defaults={"name": name, "channel": "sms", "body": body, "category_id": category}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("outages", "0001_initial"),
        ("notify", "0007_seed_customer_messages"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
