"""The background jobs' history as a retention kind (grade U): finished jobs older than it are deleted by
the nightly retention job through Procrastinate's own delete. A month keeps enough to answer "what
happened to yesterday's message job" while the tables stay the size of a month's work."""

from django.db import migrations, models


def seed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPeriod").objects.update_or_create(
        kind="job_history",
        defaults={
            "months": 1,
            "source_grade": "U",
            "note": "成功、取消、中止的后台任务满期后删除；失败的任务保留，待重试或取消",
            "is_active": True,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionPeriod").objects.filter(kind="job_history").delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_audit_entry_period")]

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
                    ("job_history", "已结束的后台任务记录"),
                ],
                max_length=32,
                unique=True,
                verbose_name="数据类别",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
