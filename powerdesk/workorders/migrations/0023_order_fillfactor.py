"""Leave a tenth of each page of the orders table free.

The sweep (priority raised, escalation level, flag, version) and the chases write columns no index
holds; with room on the row's own page PostgreSQL updates it in place (a heap-only tuple) instead of
adding an entry to each of the table's dozen indexes. Pages written before this keep their fill until
they are rewritten (``VACUUM FULL`` or ``pg_repack`` in a maintenance window; docs/scaling.md).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workorders", "0022_seed_complaint_sub_types")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE workorders_workorder SET (fillfactor = 90)",
            "ALTER TABLE workorders_workorder RESET (fillfactor)",
        )
    ]
