"""The company (the root of the unit tree: the province company) on the hot tables: orders, their
contacts and timeline events (and the SLA clocks, sla 0009).

The order's company is stamped at intake (powerdesk.org.selectors.unit_company_id); the rows under an
order inherit it from the order by a BEFORE INSERT trigger, so every writer (the intake, the sweep's bulk
events, the demo and the benchmarks' loaders) gets it without passing it, and it cannot differ from the
order's. Existing rows are backfilled: the order's from its unit's path (the rule of unit_company_id, as
of this migration), the children's from their order. The timeline is append-only: its backfill runs as
the owner with the row guard lifted for this one statement, inside the migration's transaction.
"""

import django.db.models.deletion
from django.db import migrations, models

INHERIT = """
CREATE OR REPLACE FUNCTION workorders_inherit_company() RETURNS trigger AS $$
BEGIN
    IF NEW.company_id IS NULL THEN
        SELECT company_id INTO NEW.company_id FROM workorders_workorder WHERE id = NEW.order_id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

BACKFILL = """
UPDATE workorders_workorder o SET company_id = split_part(u.path, '/', 2)::bigint
  FROM org_unit u WHERE u.id = o.unit_id AND o.company_id IS NULL;
UPDATE workorders_contact c SET company_id = o.company_id
  FROM workorders_workorder o WHERE o.id = c.order_id AND c.company_id IS NULL;
ALTER TABLE workorders_workorderevent DISABLE TRIGGER workorders_event_no_update_delete;
UPDATE workorders_workorderevent e SET company_id = o.company_id
  FROM workorders_workorder o WHERE o.id = e.order_id AND e.company_id IS NULL;
ALTER TABLE workorders_workorderevent ENABLE TRIGGER workorders_event_no_update_delete;
"""

TRIGGERS = """
CREATE TRIGGER workorders_contact_company BEFORE INSERT ON workorders_contact
    FOR EACH ROW EXECUTE FUNCTION workorders_inherit_company();
CREATE TRIGGER workorders_workorderevent_company BEFORE INSERT ON workorders_workorderevent
    FOR EACH ROW EXECUTE FUNCTION workorders_inherit_company();
"""

UNTRIGGER = """
DROP TRIGGER IF EXISTS workorders_contact_company ON workorders_contact;
DROP TRIGGER IF EXISTS workorders_workorderevent_company ON workorders_workorderevent;
"""


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


class Migration(migrations.Migration):
    dependencies = [("workorders", "0022_seed_complaint_sub_types"), ("org", "0013_unithead")]

    operations = [
        migrations.AddField("workorder", "company", _company(True)),
        migrations.AddField("contact", "company", _company(True)),
        migrations.AddField("workorderevent", "company", _company(True)),
        migrations.RunSQL(INHERIT, "DROP FUNCTION IF EXISTS workorders_inherit_company();"),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGERS, UNTRIGGER),
        migrations.AlterField("workorder", "company", _company(False)),
        migrations.AlterField("contact", "company", _company(False)),
        migrations.AlterField("workorderevent", "company", _company(False)),
        migrations.RemoveIndex("workorder", "wo_customer_topic_created"),
        migrations.AddIndex(
            "workorder",
            models.Index(
                fields=["company", "customer", "topic", "-created_at"], name="wo_company_customer_topic"
            ),
        ),
    ]
