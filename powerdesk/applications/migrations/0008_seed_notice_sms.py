"""The 一次性告知 list by SMS (template ``application_notice``): an application whose list is given by
SMS (``notice_channel`` sms: the clerk's choice on the hall form, the intake form, the API) is sent every
document it needs at once; before this, choosing SMS recorded a message nobody sent."""

from django.db import migrations

NOTICE_SMS = (
    "【供电服务】您的{{ kind }}申请（工单{{ order_number }}）已受理。"
    "{% if documents %}办理全程需提交以下资料：{{ documents }}。我们一次告知全部所需资料，"
    "如需补充清单外的资料，会向您说明原因。{% else %}办理无需提交资料。{% endif %}"
)


def seed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    NotificationTemplate.objects.update_or_create(
        code="application_notice",
        defaults={"name": "业务办理一次性告知短信", "channel": "sms", "body": NOTICE_SMS},
    )


def unseed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    NotificationTemplate.objects.filter(code="application_notice").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0007_return_reasons"),
        ("notify", "0010_partition_the_notifications"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
