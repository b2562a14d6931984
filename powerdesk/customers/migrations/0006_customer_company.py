"""The company on the customer (the root of the unit tree above the customer's 台区), the column a
database sharded by company routes the customer on, as the orders, contacts, events and clocks carry it
(workorders 0023, sla 0009).

The database keeps it: a BEFORE INSERT OR UPDATE OF area_id, company_id trigger sets it from the area's
path on every insert and on a move to another area, whatever the writer (the admin, the demo loader, the
bench seeds' raw SQL, the factories) and whatever value it sent. The rule is
powerdesk.org.selectors.unit_company_id (the first id of the unit's path; a unit without a path yet is
its own root); tests/customers/test_company.py checks that the two agree. ENABLE ALWAYS: the bench seed
loads with session_replication_role = replica, and the column is data the hot reads rely on.
Existing rows are backfilled by touching the column, which fires the trigger.
"""

import django.db.models.deletion
from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION customers_customer_company() RETURNS trigger AS $$
BEGIN
    SELECT COALESCE(NULLIF(split_part(u.path, '/', 2), '')::bigint, u.id) INTO NEW.company_id
      FROM org_unit u WHERE u.id = NEW.area_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE TRIGGER customers_customer_company BEFORE INSERT OR UPDATE OF area_id, company_id
    ON customers_customer FOR EACH ROW EXECUTE FUNCTION customers_customer_company();
ALTER TABLE customers_customer ENABLE ALWAYS TRIGGER customers_customer_company;
"""

BACKFILL = "UPDATE customers_customer SET company_id = NULL WHERE company_id IS NULL"


def _company(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="org.unit",
        verbose_name="所属公司",
        **({} if null else {"db_default": 0}),
    )


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_customer_supply"), ("org", "0013_unithead")]

    operations = [
        migrations.AddField("customer", "company", _company(True)),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS customers_customer_company();"),
        migrations.RunSQL(TRIGGER, "DROP TRIGGER IF EXISTS customers_customer_company ON customers_customer;"),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField("customer", "company", _company(False)),
    ]
