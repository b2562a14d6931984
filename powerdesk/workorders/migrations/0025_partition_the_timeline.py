"""The timeline (``workorders_workorderevent``) partitioned by month of ``at``.

PostgreSQL's declarative partitioning: a unique key of a partitioned table must hold the partition key,
so the primary key becomes (id, at) — ``id`` stays unique on its own, from the table's one sequence —
and the idempotency key of transitions (order, request id), which a retry in the next month must still
hit, moves to the small unpartitioned table ``workorders_eventrequestkey``, written by a trigger on every
event that has a request id. No foreign key points at the timeline, so no reference needs the month.

The table is rebuilt once: renamed, a partitioned table made like it, its monthly partitions from the
first month holding rows (or last month) to three months ahead plus a default partition for anything
outside them, the rows copied, the old table dropped. The protections are carried over: the row trigger
refusing UPDATE and DELETE (PostgreSQL clones it to every partition), the TRUNCATE guard (a statement
trigger: on the parent here, and on each partition by powerdesk_month_partition, core 0005), the
company's inheritance from the order. A production database of 10⁸ events would be moved in batches
by month instead of one INSERT … SELECT (docs/scaling.md).
"""

import django.db.models.deletion
from django.db import migrations, models


REBUILD = """
ALTER TABLE workorders_workorderevent RENAME TO workorders_workorderevent_unpartitioned;
ALTER TABLE workorders_workorderevent_unpartitioned
    RENAME CONSTRAINT workorders_workorderevent_pkey TO workorders_workorderevent_unpartitioned_pkey;
ALTER INDEX wo_event_order_at RENAME TO wo_event_order_at_unpartitioned;

CREATE TABLE workorders_workorderevent (
    LIKE workorders_workorderevent_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY
) PARTITION BY RANGE (at);
ALTER TABLE workorders_workorderevent ADD CONSTRAINT workorders_workorderevent_pkey PRIMARY KEY (id, at);
CREATE INDEX wo_event_order_at ON workorders_workorderevent (order_id, at);
ALTER TABLE workorders_workorderevent
    ADD CONSTRAINT workorders_workorderevent_order_id_fk FOREIGN KEY (order_id)
        REFERENCES workorders_workorder (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT workorders_workorderevent_actor_id_fk FOREIGN KEY (actor_id)
        REFERENCES org_user (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT workorders_workorderevent_company_id_fk FOREIGN KEY (company_id)
        REFERENCES org_unit (id) DEFERRABLE INITIALLY DEFERRED;

CREATE TRIGGER workorders_event_no_update_delete
    BEFORE UPDATE OR DELETE ON workorders_workorderevent
    FOR EACH ROW EXECUTE FUNCTION workorders_event_append_only();
CREATE TRIGGER workorders_workorderevent_no_truncate
    BEFORE TRUNCATE ON workorders_workorderevent
    FOR EACH STATEMENT EXECUTE FUNCTION workorders_event_append_only();
CREATE TRIGGER workorders_workorderevent_company
    BEFORE INSERT ON workorders_workorderevent
    FOR EACH ROW EXECUTE FUNCTION workorders_inherit_company();

CREATE OR REPLACE FUNCTION workorders_event_request_key() RETURNS trigger AS $$
BEGIN
    IF NEW.request_id <> '' THEN
        INSERT INTO workorders_eventrequestkey (order_id, request_id) VALUES (NEW.order_id, NEW.request_id);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workorders_workorderevent_request_key
    BEFORE INSERT ON workorders_workorderevent
    FOR EACH ROW EXECUTE FUNCTION workorders_event_request_key();

SELECT powerdesk_month_partition('workorders_workorderevent', month::date)
  FROM generate_series(
           date_trunc('month', least(
               (SELECT min(at) FROM workorders_workorderevent_unpartitioned), now() - interval '1 month'
           ) AT TIME ZONE 'Asia/Shanghai'),
           date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + interval '3 months',
           interval '1 month'
       ) AS month;
CREATE TABLE workorders_workorderevent_default PARTITION OF workorders_workorderevent DEFAULT;
CREATE TRIGGER workorders_workorderevent_default_no_truncate
    BEFORE TRUNCATE ON workorders_workorderevent_default
    FOR EACH STATEMENT EXECUTE FUNCTION workorders_event_append_only();

INSERT INTO workorders_workorderevent
    (id, kind, at, from_status, to_status, note, data, request_id, actor_id, order_id, request_fingerprint,
     company_id)
SELECT id, kind, at, from_status, to_status, note, data, request_id, actor_id, order_id, request_fingerprint,
       company_id
  FROM workorders_workorderevent_unpartitioned ORDER BY id;
SELECT setval(pg_get_serial_sequence('workorders_workorderevent', 'id'),
              coalesce((SELECT max(id) FROM workorders_workorderevent), 0) + 1, false);
DROP TABLE workorders_workorderevent_unpartitioned;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0024_company_leads_the_list_indexes"),
        ("core", "0005_month_partitions"),
    ]

    operations = [
        migrations.CreateModel(
            name="EventRequestKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("request_id", models.CharField(max_length=100)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name="workorderevent",
            name="wo_event_request_unique",
        ),
        migrations.AddField(
            model_name="eventrequestkey",
            name="order",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="workorders.workorder",
            ),
        ),
        migrations.AddConstraint(
            model_name="eventrequestkey",
            constraint=models.UniqueConstraint(
                fields=("order", "request_id"), name="wo_event_request_unique"
            ),
        ),
        migrations.RunSQL(REBUILD),
    ]
