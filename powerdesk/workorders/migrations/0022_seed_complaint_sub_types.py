"""The five complaint classes become parents of the complaint sub-types (DOMAIN §2, grade B).

The classes stay as they are: orders opened with a class keep it as their sub-type; new orders may name
the sub-type under it. Administrators add more sub-types in the admin."""

from django.db import migrations

SUB_TYPES = {
    "complaint_service": [
        ("complaint_attitude", "服务态度"),
        ("complaint_conduct", "服务行为规范"),
        ("complaint_hall", "营业厅服务"),
        ("complaint_channel", "渠道服务"),
    ],
    "complaint_business": [
        ("complaint_connection", "业扩报装"),
        ("complaint_change", "变更用电"),
        ("complaint_collection", "抄表催费"),
        ("complaint_tariff", "电费电价"),
        ("complaint_metering", "电能计量"),
        ("complaint_payment", "收费"),
    ],
    "complaint_outage": [
        ("complaint_outage_notice", "停电信息公告"),
        ("complaint_outage_plan", "计划执行"),
        ("complaint_repair", "抢修质量/时限"),
    ],
    "complaint_quality": [
        ("complaint_voltage", "电压质量"),
        ("complaint_frequent_outage", "频繁停电"),
    ],
    "complaint_construction": [
        ("complaint_works", "施工行为"),
        ("complaint_noise", "噪声"),
        ("complaint_clearance", "安全距离"),
    ],
}


def seed(apps, schema_editor):
    SubType = apps.get_model("workorders", "SubType")
    for parent_code, children in SUB_TYPES.items():
        parent = SubType.objects.get(code=parent_code)
        for i, (code, name) in enumerate(children):
            SubType.objects.update_or_create(
                code=code,
                defaults={
                    "business_type": "complaint",
                    "name": name,
                    "parent": parent,
                    "sort_order": parent.sort_order * 10 + i + 1,
                },
            )


def unseed(apps, schema_editor):
    SubType = apps.get_model("workorders", "SubType")
    codes = [code for children in SUB_TYPES.values() for code, _ in children]
    SubType.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("workorders", "0021_subtype_parent")]
    operations = [migrations.RunPython(seed, unseed)]
