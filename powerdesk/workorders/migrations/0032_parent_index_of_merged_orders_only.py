# The parent's index holds the merged orders only (the others have no parent): the insert and every
# non-HOT update of any other order write one index entry fewer. The partial index is built CONCURRENTLY
# before the full one goes, as the work queues' index was (the table is big and written all day).

import django.db.models.deletion
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("workorders", "0031_triggers_only_when_needed"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="workorder",
            index=models.Index(
                condition=models.Q(("parent__isnull", False)), fields=["parent"], name="wo_parent_merged"
            ),
        ),
        migrations.AlterField(
            model_name="workorder",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="children",
                to="workorders.workorder",
                verbose_name="主工单",
            ),
        ),
    ]
