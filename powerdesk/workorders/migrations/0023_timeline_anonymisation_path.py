"""The one path that may rewrite a timeline event: anonymisation of a closed order's personal data.

The row trigger of 0002 refused every UPDATE. It now lets one kind through: an UPDATE that changes only
``note`` and ``data``, made by a member of the table's owner role while the transaction-local setting
``powerdesk.event_rewrite`` is on. Nothing else sets that setting but the function below, which runs as
the owner (SECURITY DEFINER), rewrites only events of archived or merged orders, and is what
``powerdesk.privacy`` calls (with an audit entry in the same transaction). The application role still has
no UPDATE or DELETE privilege on the table: an ordinary UPDATE is refused as before, by the privilege
first and by the trigger behind it.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION workorders_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF current_setting('powerdesk.event_rewrite', true) = 'on'
           AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
           AND (NEW.id, NEW.order_id, NEW.kind, NEW.actor_id, NEW.at, NEW.from_status, NEW.to_status,
                NEW.request_id, NEW.request_fingerprint)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.order_id, OLD.kind, OLD.actor_id, OLD.at, OLD.from_status, OLD.to_status,
                OLD.request_id, OLD.request_fingerprint)
        THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'workorders_workorderevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION workorders_event_anonymise(p_ids bigint[], p_notes text[], p_data jsonb[])
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
DECLARE
    changed integer;
BEGIN
    PERFORM set_config('powerdesk.event_rewrite', 'on', true);
    UPDATE workorders_workorderevent AS e
       SET note = v.note, data = v.data
      FROM unnest(p_ids, p_notes, p_data) AS v(id, note, data), workorders_workorder AS o
     WHERE e.id = v.id
       AND o.id = e.order_id
       AND o.status IN ('archived', 'merged');
    GET DIAGNOSTICS changed = ROW_COUNT;
    PERFORM set_config('powerdesk.event_rewrite', 'off', true);
    RETURN changed;
END;
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS workorders_event_anonymise(bigint[], text[], jsonb[]);

CREATE OR REPLACE FUNCTION workorders_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workorders_workorderevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("workorders", "0022_seed_complaint_sub_types")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
