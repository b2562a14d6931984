"""The company on the SLA clocks, inherited from the order on insert (the trigger function of workorders
0023), and the sweep's partial index led by it: the sweep claims one company's due clocks at a time."""

import django.db.models.deletion
from django.db import migrations, models


def _company(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="org.unit",
        verbose_name="所属公司",
    )


BACKFILL = """
UPDATE sla_clock c SET company_id = o.company_id
  FROM workorders_workorder o WHERE o.id = c.order_id AND c.company_id IS NULL;
"""

TRIGGER = """
CREATE TRIGGER sla_clock_company BEFORE INSERT ON sla_clock
    FOR EACH ROW EXECUTE FUNCTION workorders_inherit_company();
"""


class Migration(migrations.Migration):
    dependencies = [("sla", "0008_unithead_moves_to_org"), ("workorders", "0023_company_column")]

    operations = [
        migrations.AddField("clock", "company", _company(True)),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGER, "DROP TRIGGER IF EXISTS sla_clock_company ON sla_clock;"),
        migrations.AlterField("clock", "company", _company(False)),
        migrations.RemoveIndex("clock", "clock_next_check"),
        migrations.AddIndex(
            "clock",
            models.Index(
                condition=models.Q(("next_check_at__isnull", False)),
                fields=["company", "next_check_at"],
                name="clock_company_next_check",
            ),
        ),
    ]
