"""Seed the notification texts the SLA sweep and intake use. Administrators edit them in the admin; a
template already present (edited, or created by hand) is left as it is.

No 【…】 in bodies: mainland SMS gateways reserve the brackets for the registered signature, which the
gateway adds (POWERDESK_SMS_SIGN)."""

from django.db import migrations

# code, name, channel, subject, body
TEMPLATES = [
    (
        "sla_warning", "时限即将超期（提醒处理人）", "sms",
        "工单{{ order_number }}“{{ clock }}”即将超期",
        "时限预警：{% if recipient %}{{ recipient }}，{% endif %}您处理的工单{{ order_number }}（{{ business_type }}）"
        "“{{ clock }}”时限将于{{ due_at }}到期，请尽快处理。",
    ),
    (
        "sla_breached", "时限已超期（通知处理人）", "sms",
        "工单{{ order_number }}“{{ clock }}”已超期",
        "超期通知：{% if recipient %}{{ recipient }}，{% endif %}工单{{ order_number }}（{{ business_type }}，"
        "{{ unit }}）“{{ clock }}”时限已于{{ due_at }}到期未完成，请立即处理并在工单中说明原因。",
    ),
    (
        "sla_escalated_unit_head", "超期升级（通知本单位负责人）", "sms",
        "工单{{ order_number }}超期，升级至单位负责人",
        "升级督办：{% if recipient %}{{ recipient }}，{% endif %}{{ unit }}的工单{{ order_number }}（{{ business_type }}）"
        "“{{ clock }}”时限已于{{ due_at }}超期，已升级由您督办，请督促处理。",
    ),
    (
        "sla_escalated", "超期升级（通知上级单位负责人）", "sms",
        "工单{{ order_number }}超期，升级至上级单位",
        "升级督办：{% if recipient %}{{ recipient }}，{% endif %}下级单位{{ unit }}的工单{{ order_number }}"
        "（{{ business_type }}）“{{ clock }}”时限已于{{ due_at }}超期仍未完成，已升级至贵单位，请协调督办。",
    ),
    (
        "order_accepted", "工单已受理（告知客户）", "sms",
        "工单已受理：{{ order_number }}",
        "工单已受理：您反映的{{ business_type }}诉求已登记，工单编号{{ order_number }}。我们将尽快处理，"
        "查询进度请拨打95598并提供工单编号。",
    ),
]


def seed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    for code, name, channel, subject, body in TEMPLATES:
        NotificationTemplate.objects.get_or_create(
            code=code, defaults=dict(name=name, channel=channel, subject=subject, body=body, is_active=True)
        )


def unseed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    NotificationTemplate.objects.filter(code__in=[t[0] for t in TEMPLATES], notifications__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
