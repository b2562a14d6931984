# The order lists' indexes (bench/RESULTS.md, "Order lists"): each list filter walks one index in the
# list's order (created_at DESC, id DESC) and carries unit_id (INCLUDE), so that the scope filter, the
# ids-first page and the capped count are index-only. Built CONCURRENTLY (the orders table is big and
# written all day), the new ones before the old ones are dropped, so no moment is without an index.

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models

OPEN = ~models.Q(status__in=["archived", "merged"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("workorders", "0006_unit_open_queue_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="workorder",
            index=models.Index(
                fields=["topic", "status", "-created_at", "-id"], include=["unit"], name="wo_topic_status_created"
            ),
        ),
        AddIndexConcurrently(
            model_name="workorder",
            index=models.Index(fields=["-created_at", "-id"], include=["unit"], name="wo_created_unit"),
        ),
        AddIndexConcurrently(
            model_name="workorder",
            index=models.Index(condition=OPEN, fields=["unit", "-created_at", "-id"], name="wo_unit_open_created_id"),
        ),
        RemoveIndexConcurrently(model_name="workorder", name="wo_status_topic_created"),
        RemoveIndexConcurrently(model_name="workorder", name="wo_created"),
        RemoveIndexConcurrently(model_name="workorder", name="wo_unit_open_created"),
    ]
