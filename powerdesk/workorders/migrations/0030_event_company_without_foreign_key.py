"""The timeline's company column loses its foreign key: it is the order's company, copied by the insert
trigger of workorders 0023 for routing (partitions, shards), and the order's own key guards it. The key
cost a look-up of the unit per event at commit: 2,000 a two-step sweep cycle."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0013_unithead"),
        ("workorders", "0029_open_status_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="workorderevent",
            name="company",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.unit",
                verbose_name="所属公司",
            ),
        ),
    ]
