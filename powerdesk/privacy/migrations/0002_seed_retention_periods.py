"""The retention periods as first seeded: grade U (no source found yet; an administrator sets the
company's figures in the admin, 保存期限)."""

from django.db import migrations

PERIODS = [
    ("order_identity", 36, "已办结工单满期后，来电人姓名、电话、地址、证件号码及时间线、来电记录、通知中的副本匿名化"),
    ("contact_phone", 24, "来电记录满期后清除来电号码"),
    ("notification_text", 12, "发给客户的短信等通知满期后清除内容与接收号码"),
    ("attachment", 36, "已办结工单的照片、录音等附件满期后删除"),
]


def seed(apps, schema_editor):
    RetentionPeriod = apps.get_model("privacy", "RetentionPeriod")
    for kind, months, note in PERIODS:
        RetentionPeriod.objects.update_or_create(
            kind=kind, defaults={"months": months, "source_grade": "U", "note": note, "is_active": True}
        )


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPeriod").objects.filter(kind__in=[p[0] for p in PERIODS]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
