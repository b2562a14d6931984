"""The one path that may remove audit entries: their expiry after the retention period (privacy's
``audit_entry`` kind, docs/operations.md §5).

The row guard of 0001 refused every UPDATE and DELETE. It now lets one kind through: a DELETE of an
entry older than the transaction-local setting ``powerdesk.audit_expire_before``, made by a member of the
table's owner role. Nothing else sets that setting but the function below, which runs as the owner
(SECURITY DEFINER), deletes the oldest entries before the time it is given, at most ``p_limit`` of them,
and is what ``powerdesk.privacy`` calls (with an audit entry of its own, in the same transaction, saying
how many and up to when). UPDATE and TRUNCATE stay refused; the application role keeps no DELETE
privilege on the table.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF coalesce(current_setting('powerdesk.audit_expire_before', true), '') <> ''
           AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
        THEN
            IF OLD.at < current_setting('powerdesk.audit_expire_before', true)::timestamptz THEN
                RETURN OLD;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_auditentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_entry_expire(p_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
DECLARE
    removed integer;
BEGIN
    PERFORM set_config('powerdesk.audit_expire_before', p_before::text, true);
    DELETE FROM audit_auditentry
     WHERE id IN (SELECT id FROM audit_auditentry WHERE at < p_before ORDER BY at, id LIMIT p_limit);
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('powerdesk.audit_expire_before', '', true);
    RETURN removed;
END;
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS audit_entry_expire(timestamptz, integer);

CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
