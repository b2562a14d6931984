"""Seed what the customer is told at each step of an order: the texts (in plain words, no 【…】: the SMS
gateway adds the signature), the rules that pick them per business type and step, the quiet hours, and
the categories of the existing texts (the SLA's go to staff: exempt, an escalation is not held back at
night). Administrators edit all of it in the admin; a row already present is left as it is."""

from django.db import migrations

# code, name, category, subject, body
TEMPLATES = [
    (
        "order_accepted_repair", "报修已受理（告知客户）", "service", "报修已受理：{{ order_number }}",
        "您的故障报修已登记，工单号{{ order_number }}。{% if due_at %}抢修人员将在{{ due_at }}前到达现场，"
        "{% endif %}请保持电话畅通；如闻到焦味或看到电线落地，请远离并等待抢修人员。",
    ),
    (
        "order_accepted_safety", "安全隐患已受理（告知客户）", "safety", "安全隐患已受理：{{ order_number }}",
        "您反映的用电安全隐患已登记，工单号{{ order_number }}。在抢修人员到达前请勿靠近或触碰隐患处，"
        "并提醒周围人员远离。{% if due_at %}人员将在{{ due_at }}前到达。{% endif %}",
    ),
    (
        "order_accepted_complaint", "投诉已受理（告知客户）", "service", "投诉已受理：{{ order_number }}",
        "您的投诉已登记，工单号{{ order_number }}。我们会认真核实{% if due_at %}，并在{{ due_at }}前"
        "把处理结果告诉您{% endif %}。",
    ),
    (
        "customer_dispatched", "已派人员上门（告知客户）", "service", "工单{{ order_number }}已派人处理",
        "工单{{ order_number }}已安排{% if assignee %}{{ assignee }}{% else %}{{ unit }}的工作人员{% endif %}"
        "上门处理。{% if manager_phone %}如需联系，可拨打您所在台区的台区经理{{ manager_name }}的电话"
        "{{ manager_phone }}。{% endif %}",
    ),
    (
        "customer_replied", "已处理完毕（告知客户）", "service", "工单{{ order_number }}已处理",
        "您的{{ business_type }}工单{{ order_number }}已处理完毕。如仍有问题，请拨打95598并提供工单号。",
    ),
    (
        "customer_closed", "工单已办结（告知客户）", "service", "工单{{ order_number }}已办结",
        "您的{{ business_type }}工单{{ order_number }}已办结，感谢您的耐心。{% if survey_url %}"
        "欢迎为本次服务打分：{{ survey_url }}{% endif %}",
    ),
    (
        "account_closed", "户号业务已办结（告知户主）", "service", "户号{{ account_no }}业务已办结",
        "户号{{ account_no }}的{{ business_type }}事项（工单{{ order_number }}）已办结。如非本人办理，"
        "请尽快拨打95598核实。{% if survey_url %}服务评价：{{ survey_url }}{% endif %}",
    ),
]

ORDER_ACCEPTED_BODY = (
    "您反映的{{ business_type }}诉求已登记，工单号{{ order_number }}。{% if due_at %}我们将在"
    "{{ due_at }}前办理答复，{% endif %}查询进度请拨打95598并提供工单号。"
)

SLA_TEMPLATES = ["sla_warning", "sla_breached", "sla_escalated_unit_head", "sla_escalated"]

ALL_TYPES = [
    "repair", "complaint", "report", "opinion", "praise", "consultation", "service_request", "application",
]

# business type, sub-type code (None: the type's general rule), step, template, audience
RULES = [
    *[(t, None, "accepted", "order_accepted", "caller")
      for t in ALL_TYPES if t not in ("repair", "complaint")],
    ("repair", None, "accepted", "order_accepted_repair", "caller"),
    ("repair", "repair_safety", "accepted", "order_accepted_safety", "caller"),
    ("complaint", None, "accepted", "order_accepted_complaint", "caller"),
    ("repair", None, "dispatched", "customer_dispatched", "caller"),
    *[(t, None, "replied", "customer_replied", "caller") for t in ALL_TYPES if t != "praise"],
    *[(t, None, "closed", "customer_closed", "caller") for t in ALL_TYPES if t != "application"],
    # A 业务办理 changes the account: its holder is told, whoever called.
    ("application", None, "closed", "account_closed", "account_holder"),
]


def seed(apps, schema_editor):
    Template = apps.get_model("notify", "NotificationTemplate")
    Rule = apps.get_model("notify", "CustomerMessageRule")
    QuietHours = apps.get_model("notify", "QuietHours")
    SubType = apps.get_model("workorders", "SubType")
    Template.objects.filter(code__in=SLA_TEMPLATES).update(category_id="staff")
    Template.objects.filter(code="order_accepted", notifications__isnull=True).update(body=ORDER_ACCEPTED_BODY)
    for code, name, category, subject, body in TEMPLATES:
        Template.objects.get_or_create(
            code=code,
            defaults=dict(name=name, channel="sms", category_id=category, subject=subject, body=body),
        )
    templates = {t.code: t for t in Template.objects.all()}
    for business_type, sub_code, step, template, audience in RULES:
        sub_type = SubType.objects.filter(code=sub_code).first() if sub_code else None
        if sub_code and sub_type is None:
            continue
        if template not in templates:
            continue
        Rule.objects.get_or_create(
            business_type=business_type,
            sub_type=sub_type,
            step=step,
            defaults=dict(template=templates[template], channel="sms", audience=audience),
        )
    if not QuietHours.objects.exists():
        QuietHours.objects.create(name="夜间免打扰", start="21:00", end="08:00")


def unseed(apps, schema_editor):
    apps.get_model("notify", "CustomerMessageRule").objects.all().delete()
    apps.get_model("notify", "QuietHours").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0006_customer_messages"), ("workorders", "0005_seed_hv_dual_subtype")]
    operations = [migrations.RunPython(seed, unseed)]
