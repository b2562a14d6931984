"""Seed the portal: its settings (thresholds, the privacy notice), the kinds of report and the order each
becomes, the proof each account-changing request needs, the SMS texts of its codes (category 验证码:
neither quiet hours nor opt-outs hold them back), and the role of the portal's accounts on the order."""

from django.db import migrations

PRIVACY_TEXT = (
    "为向您提供报修、咨询、投诉与进度查询服务，我们会使用您登录的手机号码、您绑定的户号及户主信息，"
    "以及您提交的诉求内容。这些信息只用于处理您的诉求和联系您，按国家规定保存，不会提供给无关的第三方。"
    "您可以随时解除户号绑定；如需更正或删除个人信息，可拨打95598或到营业厅办理。"
)

# code, name, hint, business type, topic, sub-type, asks for a staff member
REPORT_KINDS = [
    ("fault", "故障报修", "停电、电压异常、线路或表箱有隐患", "repair", "fault_repair", None, False),
    ("question", "业务咨询", "电费、电价、办电手续等问题", "consultation", "billing", None, False),
    ("opinion", "意见建议", "对供电服务的意见或改进建议", "opinion", "communication", "opinion_suggestion", False),
    ("complaint", "投诉", "服务中让您不满意的情况", "complaint", "communication", "complaint_service", False),
    ("praise", "表扬", "表扬为您服务的员工", "praise", "communication", "praise_staff", True),
]

# kind (the applications' code), name, method; grade U: no official text found for the choice
PROOF_RULES = [
    ("app_transfer", "过户", "account_phone_code"),
    ("app_rename", "更名", "account_phone_code"),
    ("app_close", "销户", "hall"),
    ("app_suspend_reduce", "暂停/减容", "hall"),
]

TEMPLATES = [
    (
        "portal_sign_in_code",
        "网上营业厅登录验证码",
        "网上营业厅登录验证",
        "您的登录验证码为{{ code }}，{{ minutes }}分钟内有效。工作人员不会向您索要验证码，请勿告诉他人。",
    ),
    (
        "portal_proof_code",
        "网上营业厅身份核验验证码",
        "户号身份核验",
        "户号{{ account_no }}正在网上营业厅办理{{ kind }}，验证码{{ code }}。如非本人操作，请忽略并拨打95598。",
    ),
]


def seed(apps, schema_editor):
    PortalSettings = apps.get_model("portal", "PortalSettings")
    ReportKind = apps.get_model("portal", "ReportKind")
    ProofRule = apps.get_model("portal", "ProofRule")
    Topic = apps.get_model("workorders", "Topic")
    SubType = apps.get_model("workorders", "SubType")
    Category = apps.get_model("notify", "NotificationCategory")
    Template = apps.get_model("notify", "NotificationTemplate")
    Role = apps.get_model("org", "Role")
    if not PortalSettings.objects.exists():
        PortalSettings.objects.create(
            name="网上营业厅默认设置", privacy_version="2026-12", privacy_text=PRIVACY_TEXT, source_grade="U"
        )
    for i, (code, name, hint, btype, topic, sub, staff) in enumerate(REPORT_KINDS):
        ReportKind.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "hint": hint,
                "business_type": btype,
                "topic": Topic.objects.get(code=topic),
                "sub_type": SubType.objects.filter(code=sub).first() if sub else None,
                "asks_staff": staff,
                "sort_order": i,
            },
        )
    for kind, name, method in PROOF_RULES:
        ProofRule.objects.update_or_create(kind=kind, defaults={"name": name, "method": method})
    category, _new = Category.objects.get_or_create(
        code="one_time_code", defaults={"name": "验证码", "exempt": True}
    )
    for code, name, subject, body in TEMPLATES:
        Template.objects.update_or_create(
            code=code,
            defaults={"name": name, "channel": "sms", "subject": subject, "body": body, "category": category},
        )
    Role.objects.get_or_create(
        code="portal",
        defaults={
            "name": "网上营业厅",
            "scope": "subtree",
            "can_create_orders": True,
            "transitions": ["cancel_by_customer"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("notify", "0008_delivery_receipts"),
        ("org", "0013_unithead"),
        ("workorders", "0023_portal_channel_and_customer_cancel"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
