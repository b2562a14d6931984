"""The contacts (``workorders_contact``) partitioned by month of ``at``, as the timeline was (0025).

A unique key of a partitioned table must hold the partition key, so the primary key becomes (id, at) —
``id`` stays unique from the table's one sequence — and what must be unique or referenced across months
moves to the small unpartitioned ``workorders_contactkey``, one row per contact kept by a trigger on the
contacts: the contact's id (its primary key: no two contacts share an id whatever their months), its
month, and its Idempotency-Key (``contact_idempotency_key_unique``: a retried intake in the next month
still fails on it). The foreign keys other tables hold to a contact (an outage call, a triage record:
found in the catalog, so whatever app added one) are pointed at the key table's ``contact_id``, with their
names and deferral kept; Django's state of those fields says ``db_constraint=False`` (outages 0007,
triage 0004). This migration runs after the migrations that made those references (its dependencies),
so on a new database they are made against the unpartitioned table and moved here like any other.

The table is rebuilt once: renamed, a partitioned table made like it, its monthly partitions from the
first month holding rows (or last month) to three months ahead plus a default partition, the rows copied
(the trigger writes their keys), the references moved, the old table dropped. A production table of 10⁸
contacts would be moved in batches by month (docs/scaling.md).
"""

from django.db import migrations, models

REBUILD = """
DO $$
DECLARE
    name text;
BEGIN
    ALTER TABLE workorders_contact RENAME TO workorders_contact_unpartitioned;
    -- Its indexes (the primary key's included) free their names for the new table's.
    FOR name IN SELECT i.indexrelid::regclass::text FROM pg_index i
                 WHERE i.indrelid = 'workorders_contact_unpartitioned'::regclass
    LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', name, left(name, 50) || '_unpartitioned');
    END LOOP;
END $$;

CREATE TABLE workorders_contact (
    LIKE workorders_contact_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY
) PARTITION BY RANGE (at);
ALTER TABLE workorders_contact ADD CONSTRAINT workorders_contact_pkey PRIMARY KEY (id, at);
CREATE INDEX contact_customer_at ON workorders_contact (customer_id, at DESC);
CREATE INDEX workorders_contact_order_id_f75caf5d ON workorders_contact (order_id);
CREATE INDEX workorders_contact_agent_id_192803be ON workorders_contact (agent_id);
ALTER TABLE workorders_contact
    ADD CONSTRAINT workorders_contact_order_id_fk FOREIGN KEY (order_id)
        REFERENCES workorders_workorder (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT workorders_contact_customer_id_fk FOREIGN KEY (customer_id)
        REFERENCES customers_customer (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT workorders_contact_agent_id_fk FOREIGN KEY (agent_id)
        REFERENCES org_user (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT workorders_contact_company_id_fk FOREIGN KEY (company_id)
        REFERENCES org_unit (id) DEFERRABLE INITIALLY DEFERRED;

CREATE TRIGGER workorders_contact_company
    BEFORE INSERT ON workorders_contact
    FOR EACH ROW EXECUTE FUNCTION workorders_inherit_company();

-- The key row follows its contact: written with it, changed with its id, month or key (an UPDATE that
-- moves a row to another month runs as a DELETE and an INSERT, which fire their branches too), deleted
-- with it (a reference to it then fails at commit, as the foreign key to the contact did).
CREATE OR REPLACE FUNCTION workorders_contact_key() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO workorders_contactkey (contact_id, at, idempotency_key)
        VALUES (NEW.id, NEW.at, NEW.idempotency_key);
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE workorders_contactkey SET contact_id = NEW.id, at = NEW.at, idempotency_key = NEW.idempotency_key
         WHERE contact_id = OLD.id;
        RETURN NEW;
    END IF;
    DELETE FROM workorders_contactkey WHERE contact_id = OLD.id;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workorders_contact_key
    BEFORE INSERT OR DELETE OR UPDATE OF id, at, idempotency_key ON workorders_contact
    FOR EACH ROW EXECUTE FUNCTION workorders_contact_key();

SELECT powerdesk_month_partition('workorders_contact', month::date)
  FROM generate_series(
           date_trunc('month', least(
               (SELECT min(at) FROM workorders_contact_unpartitioned), now() - interval '1 month'
           ) AT TIME ZONE 'Asia/Shanghai'),
           date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + interval '3 months',
           interval '1 month'
       ) AS month;
CREATE TABLE workorders_contact_default PARTITION OF workorders_contact DEFAULT;

INSERT INTO workorders_contact SELECT * FROM workorders_contact_unpartitioned ORDER BY id;
SELECT setval(pg_get_serial_sequence('workorders_contact', 'id'),
              coalesce((SELECT max(id) FROM workorders_contact), 0) + 1, false);

-- Every foreign key to a contact now points at its key row: same name, same column, same deferral.
DO $$
DECLARE
    ref record;
BEGIN
    FOR ref IN
        SELECT c.conname, c.conrelid::regclass AS referring, a.attname
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND c.confrelid = 'workorders_contact_unpartitioned'::regclass
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', ref.referring, ref.conname);
        EXECUTE format(
            'ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (%I) REFERENCES workorders_contactkey (contact_id)'
            ' DEFERRABLE INITIALLY DEFERRED',
            ref.referring, ref.conname, ref.attname
        );
    END LOOP;
END $$;
DROP TABLE workorders_contact_unpartitioned;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0026_merge_company_and_portal"),
        ("core", "0005_month_partitions"),
        # The references to a contact this migration moves to the key table are made by then.
        ("outages", "0006_known_event_idempotency_notice_receipts"),
        ("triage", "0003_more_hazard_terms"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="contact",
            name="contact_idempotency_key_unique",
        ),
        migrations.CreateModel(
            name="ContactKey",
            fields=[
                (
                    "contact",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="workorders.contact",
                    ),
                ),
                ("at", models.DateTimeField()),
                ("idempotency_key", models.CharField(blank=True, max_length=100, null=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("idempotency_key",), name="contact_idempotency_key_unique")
                ],
            },
        ),
        migrations.RunSQL(REBUILD),
    ]
