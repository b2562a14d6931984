# The analytics' month reads without reading a month's heap: the orders' covering index (a month of orders
# is an index-only scan) and the re-opened orders' partial index on the timeline. The orders' index is
# built CONCURRENTLY (the table is big and written all day: ~20 s at ten million orders); the timeline's
# cannot be (a partitioned table), but it holds only the 重开 events.

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("workorders", "0027_partition_the_contacts"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="workorder",
            index=models.Index(
                fields=["created_at"],
                include=(
                    "unit",
                    "id",
                    "business_type",
                    "area",
                    "contact_count",
                    "satisfaction",
                    "called_back_at",
                    "assignee",
                    "owner",
                ),
                name="wo_accepted_measures",
            ),
        ),
        migrations.AddIndex(
            model_name="workorderevent",
            index=models.Index(
                condition=models.Q(("kind", "reopen")), fields=["at"], name="wo_event_reopen_at"
            ),
        ),
    ]
