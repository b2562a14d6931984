# The work queues' index: the open orders by status and acceptance time, the unit included. Built
# CONCURRENTLY, as the analytics' index before it (the table is big and written all day).

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("workorders", "0028_analytics_read_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="workorder",
            index=models.Index(
                condition=models.Q(("status__in", ["archived", "merged"]), _negated=True),
                fields=["company", "status", "created_at", "id"],
                include=("unit",),
                name="wo_open_status_created",
            ),
        ),
    ]
