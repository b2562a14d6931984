"""The notifications (``notify_notification``) partitioned by month of ``created_at``, as the timeline was
(workorders 0025).

A unique key of a partitioned table must hold the partition key, so the primary key becomes
(id, created_at) — ``id`` stays unique from the table's one sequence — and the de-duplication key, which a
cause told again next month must still hit, moves to the small unpartitioned ``notify_notificationkey``:
the enqueue reserves its keys there first and a trigger binds each key to its notification, refusing a
second notification with a bound key whoever writes it (services.notification_enqueue_many). No foreign
key points at a notification (an outage notice keeps its notification's id as a plain number), so no
reference needs the month.

The order's messages get an index (order, created_at): the order page and anonymisation read them by
order, from the order's acceptance on (one index range per month, the months before it skipped).

The table is rebuilt once: renamed, a partitioned table made like it, its monthly partitions from the
first month holding rows (or last month) to three months ahead plus a default partition, the rows copied
(the trigger writes their keys), the old table dropped. A production table would be moved in batches by
month (docs/scaling.md).
"""

from django.db import migrations, models

REBUILD = """
DO $$
DECLARE
    name text;
BEGIN
    ALTER TABLE notify_notification RENAME TO notify_notification_unpartitioned;
    FOR name IN SELECT i.indexrelid::regclass::text FROM pg_index i
                 WHERE i.indrelid = 'notify_notification_unpartitioned'::regclass
    LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', name, left(name, 50) || '_unpartitioned');
    END LOOP;
END $$;

CREATE TABLE notify_notification (
    LIKE notify_notification_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS
) PARTITION BY RANGE (created_at);
ALTER TABLE notify_notification ADD CONSTRAINT notify_notification_pkey PRIMARY KEY (id, created_at);
CREATE INDEX notify_unfinished_idx ON notify_notification (created_at)
    WHERE state IN ('pending', 'sending', 'failed');
CREATE INDEX notify_order_created ON notify_notification (order_id, created_at);
ALTER TABLE notify_notification
    ADD CONSTRAINT notify_notification_order_id_fk FOREIGN KEY (order_id)
        REFERENCES workorders_workorder (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT notify_notification_customer_id_fk FOREIGN KEY (customer_id)
        REFERENCES customers_customer (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT notify_notification_recipient_user_id_fk FOREIGN KEY (recipient_user_id)
        REFERENCES org_user (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT notify_notification_template_id_fk FOREIGN KEY (template_id)
        REFERENCES notify_notificationtemplate (id) DEFERRABLE INITIALLY DEFERRED;

-- A key reserved by the enqueue (no notification yet) is bound to the row that carries it; any other
-- row with a key stores the key itself, and fails if another notification holds it. The key leaves with
-- its notification (deleted, or given another key); an UPDATE that moves a row to another month runs as
-- a DELETE and an INSERT, which fire their branches.
CREATE OR REPLACE FUNCTION notify_notification_key() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.dedupe_key IS NOT NULL THEN
        DELETE FROM notify_notificationkey WHERE dedupe_key = OLD.dedupe_key AND notification_id = OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.dedupe_key IS NOT NULL THEN
        UPDATE notify_notificationkey SET notification_id = NEW.id
         WHERE dedupe_key = NEW.dedupe_key AND notification_id IS NULL;
        IF NOT FOUND THEN
            INSERT INTO notify_notificationkey (dedupe_key, notification_id) VALUES (NEW.dedupe_key, NEW.id);
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notify_notification_key
    BEFORE INSERT OR DELETE OR UPDATE OF id, dedupe_key ON notify_notification
    FOR EACH ROW EXECUTE FUNCTION notify_notification_key();

SELECT powerdesk_month_partition('notify_notification', month::date)
  FROM generate_series(
           date_trunc('month', least(
               (SELECT min(created_at) FROM notify_notification_unpartitioned), now() - interval '1 month'
           ) AT TIME ZONE 'Asia/Shanghai'),
           date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + interval '3 months',
           interval '1 month'
       ) AS month;
CREATE TABLE notify_notification_default PARTITION OF notify_notification DEFAULT;

INSERT INTO notify_notification SELECT * FROM notify_notification_unpartitioned ORDER BY id;
SELECT setval(pg_get_serial_sequence('notify_notification', 'id'),
              coalesce((SELECT max(id) FROM notify_notification), 0) + 1, false);
DROP TABLE notify_notification_unpartitioned;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0009_send_retry_policy"),
        ("core", "0005_month_partitions"),
    ]

    operations = [
        migrations.CreateModel(
            name="NotificationKey",
            fields=[
                ("dedupe_key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("notification_id", models.BigIntegerField(blank=True, null=True)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name="notification",
            name="notify_dedupe_key_unique",
        ),
        migrations.RunSQL(
            REBUILD,
            state_operations=[
                migrations.AddIndex(
                    model_name="notification",
                    index=models.Index(fields=["order", "created_at"], name="notify_order_created"),
                ),
            ],
        ),
    ]
