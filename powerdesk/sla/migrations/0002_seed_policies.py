"""Seed the time-limit policies of DOMAIN.md §3, each with its source grade, plus escalation steps and
suspend reasons. All of it is data an administrator edits in the admin."""

import datetime as dt

from django.db import migrations

VALID_FROM = dt.date(2024, 1, 1)
REPLY = ["reply", "answer"]

# name, kind, business type, sub-type code, channel, region, customer type, amount, unit, starts on, stops on,
# grade, note
POLICIES = [
    ("抢修到达现场（城区）", "arrival", "repair", None, "", "urban", "", 45, "minutes", "intake", ["arrive"], "A", "城区45分钟"),
    ("抢修到达现场（农村）", "arrival", "repair", None, "", "rural", "", 90, "minutes", "intake", ["arrive"], "A", "农村90分钟"),
    ("抢修到达现场（特殊边远）", "arrival", "repair", None, "", "remote", "", 120, "minutes", "intake", ["arrive"], "A",
     "特殊边远地区120分钟"),
    ("重要客户抢修到达现场（城区）", "arrival", "repair", None, "", "urban", "important", 30, "minutes", "intake", ["arrive"],
     "B", "地方规定：重要客户30分钟到达"),
    ("重要客户抢修到达现场（农村）", "arrival", "repair", None, "", "rural", "important", 30, "minutes", "intake", ["arrive"],
     "B", "地方规定：重要客户30分钟到达"),
    ("重要客户抢修到达现场（特殊边远）", "arrival", "repair", None, "", "remote", "important", 30, "minutes", "intake",
     ["arrive"], "B", "地方规定：重要客户30分钟到达"),
    ("重要客户抢修派单", "dispatch", "repair", None, "", "", "important", 5, "minutes", "intake", ["dispatch"], "B",
     "地方规定：重要客户5分钟派单"),
    ("故障恢复送电（城区）", "restoration", "repair", None, "", "urban", "", 3, "hours", "arrive", ["resolve"], "A",
     "到达现场后城区3小时"),
    ("故障恢复送电（农村）", "restoration", "repair", None, "", "rural", "", 4, "hours", "arrive", ["resolve"], "A",
     "到达现场后农村4小时"),
    ("故障恢复送电（其他地区）", "restoration", "repair", None, "", "", "", 4, "hours", "arrive", ["resolve"], "U",
     "未查到特殊边远地区规定，按农村时限"),
    ("投诉首次联系客户", "first_contact", "complaint", None, "", "", "", 24, "hours", "intake", ["take", "reply", "answer"],
     "A", "江苏：24小时内联系客户"),
    ("投诉办结回复（95598）", "reply", "complaint", None, "95598", "", "", 4, "working_days", "intake", REPLY, "A",
     "江苏：4个工作日"),
    ("投诉办结回复（12398）", "reply", "complaint", None, "12398", "", "", 10, "working_days", "intake", REPLY, "A",
     "12398转办：10个工作日"),
    ("投诉办结回复（12345）", "reply", "complaint", None, "12345", "", "", 7, "days", "intake", REPLY, "A",
     "12345转办：7天"),
    ("投诉办结回复（其他渠道）", "reply", "complaint", None, "", "", "", 10, "days", "intake", REPLY, "A", "其他渠道：10天"),
    ("举报办结回复", "reply", "report", None, "", "", "", 9, "working_days", "intake", REPLY, "A", "江苏：9个工作日"),
    ("复电登记（欠费结清后）", "restoration", "service_request", "sr_reconnect", "", "", "", 24, "hours", "intake",
     ["resolve"], "C", "结清欠费后24小时内复电"),
    ("电器损坏到达现场", "arrival", "service_request", "sr_appliance", "", "", "", 24, "hours", "intake", ["arrive"], "C",
     "24小时内到达现场"),
    ("电能表异常处理回复", "reply", "service_request", "sr_meter", "", "", "", 4, "working_days", "intake", REPLY, "C", ""),
    ("抄表数据异常处理回复", "reply", "service_request", "sr_reading", "", "", "", 6, "working_days", "intake", REPLY, "C",
     ""),
    ("其他服务申请回复", "reply", "service_request", None, "", "", "", 5, "working_days", "intake", REPLY, "C", ""),
    ("电能表校验结果回复", "reply", "application", "app_meter_test", "", "", "", 5, "working_days", "intake", REPLY, "A", ""),
    ("居民低压新装（城镇）", "reply", "application", "app_new_lv", "", "", "urban_resident", 5, "working_days", "intake",
     REPLY, "A", "居民新装全流程5个工作日"),
    ("居民低压新装（农村）", "reply", "application", "app_new_lv", "", "", "rural_resident", 5, "working_days", "intake",
     REPLY, "A", "居民新装全流程5个工作日"),
    ("低压非居民新装", "reply", "application", "app_new_lv", "", "", "", 6, "working_days", "intake", REPLY, "A",
     "供电企业环节合计6个工作日"),
    ("高压单电源新装增容", "reply", "application", "app_new_hv", "", "", "", 22, "working_days", "intake", REPLY, "A",
     "供电企业环节合计22个工作日"),
    ("高压双电源新装", "reply", "application", "app_new_hv_dual", "", "", "", 32, "working_days", "intake", REPLY, "A",
     "供电企业环节合计32个工作日"),
    ("意见建议回复", "reply", "opinion", None, "", "", "", 9, "working_days", "intake", REPLY, "U", ""),
    ("咨询后续回复", "reply", "consultation", None, "", "", "", 1, "working_days", "intake", REPLY, "U", ""),
    ("回单后回访", "callback", "", None, "", "", "", 24, "hours", "reply", ["callback"], "U", "回单后24小时内回访"),
]

# Before the deadline the handler is warned; at it the handler is told and the unit head alerted (priority up);
# half the allowed time later the level above hears of it.
STEPS = [
    (1, "0.80", "notify_handler", False, "sla_warning"),
    (2, "1.00", "notify_handler", False, "sla_breached"),
    (3, "1.00", "notify_unit_head", True, "sla_escalated_unit_head"),
    (4, "1.50", "notify_parent_head", False, "sla_escalated"),
]

REASONS = [
    ("customer_postpone", "客户要求延期处理", True),
    ("awaiting_customer", "等待客户提供资料", True),
    ("customer_absent", "客户不在现场、无法入户", True),
    ("awaiting_materials", "等待物资或停电计划", False),
    ("other", "其他原因", False),
]


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SubType = apps.get_model("workorders", "SubType")
    EscalationStep = apps.get_model("sla", "EscalationStep")
    SuspendReason = apps.get_model("sla", "SuspendReason")
    for (name, kind, btype, sub, channel, region, ctype, amount, unit, starts, stops, grade, note) in POLICIES:
        SlaPolicy.objects.update_or_create(
            name=name,
            defaults=dict(
                clock_kind=kind, business_type=btype, sub_type=SubType.objects.get(code=sub) if sub else None,
                channel=channel, region_class=region, customer_type=ctype, amount=amount, unit=unit,
                starts_on=starts, stops_on=stops, source_grade=grade, source_note=note, valid_from=VALID_FROM,
                chase_escalate_at=2 if btype in ("repair", "complaint") else None,
            ),
        )
    for level, ratio, action, raise_priority, template in STEPS:
        EscalationStep.objects.update_or_create(
            level=level,
            defaults=dict(at_ratio=ratio, action=action, raise_priority=raise_priority, template_code=template),
        )
    for code, name, pauses in REASONS:
        SuspendReason.objects.update_or_create(code=code, defaults=dict(name=name, pauses_clocks=pauses))


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("workorders", "0005_seed_hv_dual_subtype"), ("notify", "0002_seed_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
