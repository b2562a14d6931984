"""以案普法's data: who may assign cases for learning (service managers and administrators, the roles
that review cases; edited on 案例库权限), and the message telling a person of an assignment (a staff
message: category ``staff``, which quiet hours do not hold back)."""

from django.db import migrations

ASSIGNERS = ("manager", "admin")
TEMPLATE = {
    "code": "learning_assigned",
    "name": "以案普法学习任务",
    "channel": "sms",
    "category_id": "staff",
    "subject": "学习任务：{{ title }}",
    "body": "【以案普法】{{ recipient }}，请于{{ due_date }}前在系统首页阅读案例《{{ title }}》（第{{ version }}版）并确认学习。",
}


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    CaseRight = apps.get_model("knowledge", "CaseRight")
    for role in Role.objects.filter(code__in=ASSIGNERS):
        right, _ = CaseRight.objects.get_or_create(role=role)
        right.may_assign = True
        right.save(update_fields=["may_assign"])
    Template = apps.get_model("notify", "NotificationTemplate")
    Template.objects.get_or_create(code=TEMPLATE["code"], defaults={k: v for k, v in TEMPLATE.items() if k != "code"})


def unseed(apps, schema_editor):
    apps.get_model("knowledge", "CaseRight").objects.update(may_assign=False)
    apps.get_model("notify", "NotificationTemplate").objects.filter(
        code=TEMPLATE["code"], notifications__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0005_learning_assignments"),
        ("notify", "0008_delivery_receipts"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
