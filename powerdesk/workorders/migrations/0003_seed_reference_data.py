"""Seed topics, business sub-types, the default repeat-call rule and the attachment rules (DOMAIN §2, §4)."""

from django.db import migrations

TOPICS = [
    ("fault_repair", "故障抢修"), ("billing", "电费电价"), ("business_env", "营商环境（业扩报装）"),
    ("metering", "电能计量"), ("hall_service", "营业厅服务"), ("ev_charging", "电动汽车充电"),
    ("grid_construction", "电网建设"), ("gov_policy", "政企联动（电价政策、代理购电、光伏并网）"),
    ("communication", "服务沟通"), ("outage_info", "停电信息"), ("power_quality", "电能质量（电压）"),
]

SUB_TYPES = [
    ("repair", "repair_lv", "低压故障"), ("repair", "repair_hv", "高压故障"),
    ("repair", "repair_customer_side", "客户内部故障"), ("repair", "repair_meter", "计量装置故障"),
    ("repair", "repair_power_quality", "电能质量故障"), ("repair", "repair_safety", "安全隐患"),
    ("complaint", "complaint_service", "服务投诉"), ("complaint", "complaint_business", "营业投诉"),
    ("complaint", "complaint_outage", "停送电投诉"), ("complaint", "complaint_quality", "供电质量投诉"),
    ("complaint", "complaint_construction", "电网建设投诉"),
    ("report", "report_misconduct", "行风问题举报"), ("report", "report_theft", "窃电举报"),
    ("report", "report_facility", "破坏电力设施举报"),
    ("opinion", "opinion_service", "服务意见"), ("opinion", "opinion_suggestion", "建议"),
    ("praise", "praise_staff", "表扬员工"), ("praise", "praise_unit", "表扬单位"),
    ("consultation", "consult_tariff", "电价电费"), ("consultation", "consult_procedure", "业务办理流程"),
    ("consultation", "consult_outage", "停电信息"), ("consultation", "consult_policy", "政策法规"),
    ("service_request", "sr_reconnect", "复电登记"), ("service_request", "sr_appliance", "电器损坏"),
    ("service_request", "sr_meter", "电能表异常"), ("service_request", "sr_reading", "抄表数据异常"),
    ("service_request", "sr_ev_booking", "充电预约"), ("service_request", "sr_other", "其他服务申请"),
    ("application", "app_new_lv", "低压新装"), ("application", "app_new_hv", "高压新装增容"),
    ("application", "app_ev_charger", "充电桩报装"), ("application", "app_pv", "光伏并网"),
    ("application", "app_transfer", "过户"), ("application", "app_rename", "更名"),
    ("application", "app_meter_test", "电能表校验"),
]

ATTACHMENT_RULES = [
    ("audio", 20, "audio/mpeg,audio/wav,audio/x-wav,audio/amr,audio/mp4,audio/x-m4a", ".mp3,.wav,.amr,.m4a"),
    ("photo", 10, "image/jpeg,image/png,image/gif,image/webp", ".jpg,.jpeg,.png,.gif,.webp"),
    ("document", 20,
     "application/pdf,application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
     "application/vnd.ms-excel,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     ".pdf,.doc,.docx,.xls,.xlsx"),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("workorders", "Topic")
    SubType = apps.get_model("workorders", "SubType")
    RepeatCallRule = apps.get_model("workorders", "RepeatCallRule")
    AttachmentRule = apps.get_model("workorders", "AttachmentRule")
    for i, (code, name) in enumerate(TOPICS):
        Topic.objects.update_or_create(code=code, defaults={"name": name, "sort_order": i})
    for i, (btype, code, name) in enumerate(SUB_TYPES):
        SubType.objects.update_or_create(code=code, defaults={"business_type": btype, "name": name, "sort_order": i})
    if not RepeatCallRule.objects.filter(topic__isnull=True).exists():
        RepeatCallRule.objects.create(topic=None, window_days=7, escalate_at=3, source_grade="U")
    for kind, mb, types, exts in ATTACHMENT_RULES:
        AttachmentRule.objects.update_or_create(
            kind=kind, defaults={"max_size_mb": mb, "content_types": types, "extensions": exts}
        )


class Migration(migrations.Migration):
    dependencies = [("workorders", "0002_number_sequence_and_append_only_timeline")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
