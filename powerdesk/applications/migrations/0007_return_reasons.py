"""Return reasons as data: a step is sent back for one of them (the staff's choice), and the customer's SMS
says the reason's ``customer_text`` instead of the staff's free text (which could say anything, cut at 60
characters); the staff's note stays on the step and the timeline, never sent.

Existing data stays valid: a step sent back before this has the reason 其他原因, its free text kept as
the note (``result``, as it was); its events keep their note. The SMS template (0005) needs no change:
``reason`` in its context is now the customer's wording, at most 60 characters.
"""

import django.db.models.deletion
from django.db import migrations, models

# code, name (the staff's choice), customer_text (what the SMS says), sort order
REASONS = [
    ("documents", "资料不全或不符合要求", "提交的资料不全或不符合要求，需补充完善", 10),
    ("site", "现场条件不具备", "现场条件暂不具备，需整改后再办理", 20),
    ("design", "设计或方案需调整", "设计或方案需要调整", 30),
    ("inspection", "检验不合格", "检验未通过，需整改后重新检验", 40),
    ("customer_change", "客户变更申请内容", "您变更了申请内容，需重新办理", 50),
    ("other", "其他原因", "需要重新核实有关情况", 90),
]


def seed(apps, schema_editor):
    ReturnReason = apps.get_model("applications", "ReturnReason")
    ApplicationStep = apps.get_model("applications", "ApplicationStep")
    for code, name, text, order in REASONS:
        ReturnReason.objects.update_or_create(
            code=code, defaults={"name": name, "customer_text": text, "sort_order": order}
        )
    other = ReturnReason.objects.get(code="other")
    ApplicationStep.objects.filter(state="returned", return_reason__isnull=True).update(return_reason=other)


def unseed(apps, schema_editor):
    ApplicationStep = apps.get_model("applications", "ApplicationStep")
    ApplicationStep.objects.update(return_reason=None)


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0006_adopted_non_residential_lv'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReturnReason',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=32, unique=True, verbose_name='编码')),
                ('name', models.CharField(max_length=100, verbose_name='名称')),
                ('customer_text', models.CharField(help_text='写入发给客户的短信，请勿写入内部信息', max_length=60, verbose_name='告知客户的说法')),
                ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='排序')),
                ('is_active', models.BooleanField(default=True, verbose_name='启用')),
            ],
            options={
                'verbose_name': '环节退回原因',
                'verbose_name_plural': '环节退回原因',
                'ordering': ['sort_order', 'code'],
            },
        ),
        migrations.AddField(
            model_name='applicationstep',
            name='return_reason',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='applications.returnreason', verbose_name='退回原因'),
        ),
        migrations.RunPython(seed, unseed),
    ]
