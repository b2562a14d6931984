"""The audit trail's retention period, as data (grade U): entries older than it are deleted by the nightly
retention job through the owner's function of audit 0002. The statutory floor is six months (网络安全法
第二十一条: network logs kept for no less than six months); the seeded figure keeps three years."""

from django.db import migrations, models


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPeriod").objects.update_or_create(
        kind="audit_entry",
        defaults={
            "months": 36,
            "source_grade": "U",
            "note": "审计记录满期后删除（网络安全法第二十一条要求网络日志留存不少于六个月）",
            "is_active": True,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPeriod").objects.filter(kind="audit_entry").delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_seed_retention_periods"), ("audit", "0002_audit_expiry_path")]

    operations = [
        migrations.AlterField(
            model_name="retentionperiod",
            name="kind",
            field=models.CharField(
                choices=[
                    ("order_identity", "已办结工单中的客户身份信息"),
                    ("contact_phone", "来电记录中的来电号码"),
                    ("notification_text", "发给客户的通知内容"),
                    ("attachment", "工单附件与录音"),
                    ("audit_entry", "审计记录"),
                ],
                max_length=32,
                unique=True,
                verbose_name="数据类别",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
