"""The seed paper's four hot spots, found there by reading complaints by hand, as groups an admin
extends (热点分组). 缴费难 and 价格模糊 both sit under the billing topic: the sub-types and keywords tell
them apart. And the one row of the hot-spot test's settings."""

from django.db import migrations

GROUPS = [
    ("pay_hard", "缴费难", ["complaint_payment"], ["缴费", "交电费", "充值不到账", "扣款失败"]),
    ("price_vague", "价格模糊", ["complaint_tariff", "consult_tariff"], ["阶梯电价", "电价标准", "电费怎么算", "收费依据"]),
    ("voltage_unstable", "电压不稳", ["complaint_voltage"], ["电压低", "电压不稳", "电压忽高忽低", "灯光闪烁"]),
    ("notice_late", "停送电通知滞后", ["complaint_outage_notice"], ["没有提前通知", "停电没通知", "通知太晚", "来电时间不准"]),
]


def seed(apps, schema_editor):
    HotSpotGroup = apps.get_model("analytics", "HotSpotGroup")
    SubType = apps.get_model("workorders", "SubType")
    for code, name, sub_types, keywords in GROUPS:
        group, _ = HotSpotGroup.objects.update_or_create(
            code=code, defaults={"name": name, "keywords": "\n".join(keywords)}
        )
        group.sub_types.set(SubType.objects.filter(code__in=sub_types))
    HotSpotRule = apps.get_model("analytics", "HotSpotRule")
    if not HotSpotRule.objects.exists():
        HotSpotRule.objects.create(min_count=5, baseline_days=182, alpha=0.05)


def unseed(apps, schema_editor):
    apps.get_model("analytics", "HotSpotRule").objects.all().delete()
    apps.get_model("analytics", "HotSpotGroup").objects.filter(code__in=[g[0] for g in GROUPS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("workorders", "0022_seed_complaint_sub_types"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
