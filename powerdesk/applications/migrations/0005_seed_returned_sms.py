"""The customer's SMS when a step is sent back (template ``application_step_returned``, category
``service``: quiet hours and opt-outs apply), and the step SMS asking rather than telling when the step is
the customer's own (only where the seeded text was not edited since)."""

from django.db import migrations

RETURNED_SMS = (
    "【供电服务】您的{{ kind }}申请（工单{{ order_number }}）需重新办理「{{ step }}」环节，"
    "原因：{{ reason|truncatechars:60 }}。"
    "{% if customer_side %}请您按要求办理，办好后请告知我们。{% else %}我们将于{{ due_at }}前办理完成。{% endif %}"
)

STEP_SMS_0002 = (
    "【供电服务】您的{{ kind }}申请（工单{{ order_number }}）"
    "{% if completed %}已全部办结，感谢您的配合。{% else %}已进入「{{ step }}」环节，预计{{ due_at }}前完成。{% endif %}"
)
STEP_SMS = (
    "【供电服务】您的{{ kind }}申请（工单{{ order_number }}）"
    "{% if completed %}已全部办结，感谢您的配合。"
    "{% elif customer_side %}已进入「{{ step }}」环节，需要您办理，办理后请告知我们。"
    "{% else %}已进入「{{ step }}」环节，预计{{ due_at }}前完成。{% endif %}"
)


def seed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    NotificationTemplate.objects.update_or_create(
        code="application_step_returned",
        defaults={"name": "业务办理环节退回短信", "channel": "sms", "body": RETURNED_SMS},
    )
    NotificationTemplate.objects.filter(code="application_step", body=STEP_SMS_0002).update(body=STEP_SMS)


def unseed(apps, schema_editor):
    NotificationTemplate = apps.get_model("notify", "NotificationTemplate")
    NotificationTemplate.objects.filter(code="application_step", body=STEP_SMS).update(body=STEP_SMS_0002)
    NotificationTemplate.objects.filter(code="application_step_returned").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_order_suspension"),
        ("notify", "0010_partition_the_notifications"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
