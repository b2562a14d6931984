"""Seed the work queues of each role and the routing rules (派单规则). Both are data: an administrator
adds, renames or retires them at /admin/."""

from django.db import migrations

# role, code, Chinese name, English name, the order list's parameters (workorders.filters), order
QUEUES = [
    ("dispatcher", "to_dispatch", "待派单", "To dispatch", "queue=all&status=accepted&sort=oldest", 10),
    ("dispatcher", "returned", "已回退", "Returned", "queue=all&status=returned&sort=oldest", 20),
    ("dispatcher", "suspended", "已挂起", "Suspended", "queue=all&status=suspended&sort=oldest", 30),
    ("dispatcher", "at_risk", "即将超时", "About to breach", "queue=all&at_risk=on&sort=due", 40),
    ("callback", "to_call_back", "待回访", "To call back", "queue=all&status=replied&sort=due", 10),
    ("callback", "to_archive", "待归档", "To archive", "queue=all&status=called_back&sort=oldest", 20),
    ("repair", "to_take", "待接单", "To accept", "queue=unit&status=dispatched&sort=due", 10),
    ("repair", "mine", "我的在办", "My open orders", "queue=mine&sort=due", 20),
    ("repair", "at_risk", "即将超时", "About to breach", "queue=unit&at_risk=on&sort=due", 30),
    ("handler", "to_take", "待接单", "To accept", "queue=unit&status=dispatched&sort=due", 10),
    ("handler", "mine", "我的在办", "My open orders", "queue=mine&sort=due", 20),
    ("handler", "at_risk", "即将超时", "About to breach", "queue=unit&at_risk=on&sort=due", 30),
    ("agent", "returned", "已回退", "Returned", "queue=all&status=returned&sort=oldest", 10),
    ("agent", "flagged", "重点关注", "Flagged", "queue=all&flagged=on&open=on&sort=oldest", 20),
    ("manager", "at_risk", "即将超时", "About to breach", "queue=all&at_risk=on&sort=due", 10),
    ("manager", "suspended", "已挂起", "Suspended", "queue=all&status=suspended&sort=oldest", 20),
    ("manager", "to_archive", "待归档", "To archive", "queue=all&status=called_back&sort=oldest", 30),
]

# order, business type, topic code, customer type, flag, auto dispatch, note. Every rule sends the order
# to the 供电所 of the customer's 台区; the first that matches decides. Important and 保电 customers come
# first so that their repairs are never dispatched without a dispatcher (grade U: a local choice).
RULES = [
    (10, "", "", "", "life_support", False, "保电/生命支持客户：派往台区所属供电所，由调度员确认后派单"),
    (20, "", "", "important", "", False, "重要用电客户：派往台区所属供电所，由调度员确认后派单"),
    (100, "repair", "fault_repair", "", "", False,
     "故障报修：派往台区所属供电所；需要时在此打开“受理时自动派单”"),
    (110, "repair", "", "", "", False, "其他报修：派往台区所属供电所"),
    (200, "service_request", "", "", "", False, "服务申请：派往台区所属供电所"),
    (210, "application", "", "", "", False, "业务办理：派往台区所属供电所"),
]


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    WorkQueue = apps.get_model("workorders", "WorkQueue")
    RoutingRule = apps.get_model("workorders", "RoutingRule")
    Topic = apps.get_model("workorders", "Topic")
    roles = {r.code: r for r in Role.objects.all()}
    for role_code, code, name, name_en, params, order in QUEUES:
        if role_code in roles:
            WorkQueue.objects.update_or_create(
                role=roles[role_code],
                code=code,
                defaults={"name": name, "name_en": name_en, "params": params, "sort_order": order},
            )
    if RoutingRule.objects.exists():
        return
    topics = {t.code: t for t in Topic.objects.all()}
    for order, business_type, topic, customer_type, flag, auto, note in RULES:
        RoutingRule.objects.create(
            sort_order=order,
            business_type=business_type,
            topic=topics.get(topic) if topic else None,
            customer_type=customer_type,
            flag=flag,
            target="area_station",
            auto_dispatch=auto,
            note=note,
        )


class Migration(migrations.Migration):
    dependencies = [("workorders", "0019_queues_and_routing_rules"), ("org", "0012_role_is_field_staff_system_account")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
