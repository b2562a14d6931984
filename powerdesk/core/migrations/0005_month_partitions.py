"""Monthly partitions: the one function that makes one (powerdesk.core.partitions calls it).

``powerdesk_month_partition(parent, month)`` creates the partition of ``parent`` (a table partitioned
by range of a timestamp) for the business month (Asia/Shanghai) that holds ``month``, named
``<parent>_yYYYYmMM``, unless it exists; returns its name, or NULL when it existed. An append-only
parent (one with a ``<parent>_no_truncate`` guard, powerdesk.core.appendonly) gets the guard on the
partition too — PostgreSQL clones the row triggers to a partition, not the statement ones — and the
partition's UPDATE and DELETE rights are taken from every role but the owner, as dbroles does for
the parents.

It runs as its owner (SECURITY DEFINER, with a fixed search path), so the worker, connected as the
application role that may create nothing, can keep next months' partitions ready and nothing else.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION powerdesk_month_partition(parent regclass, month date) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    parent_name text := (SELECT relname FROM pg_class WHERE oid = parent);
    name text := format('%s_y%sm%s', parent_name, to_char(first, 'YYYY'), to_char(first, 'MM'));
    guard text;
    grantee oid;
BEGIN
    IF to_regclass(quote_ident(name)) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
        name, parent,
        first::timestamp AT TIME ZONE 'Asia/Shanghai',
        (first + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai'
    );
    SELECT p.proname INTO guard FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
     WHERE t.tgrelid = parent AND t.tgname = parent_name || '_no_truncate';
    IF guard IS NOT NULL THEN
        EXECUTE format(
            'CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION %I()',
            name || '_no_truncate', name, guard
        );
        FOR grantee IN
            SELECT DISTINCT a.grantee FROM pg_class c, aclexplode(c.relacl) a
             WHERE c.oid = to_regclass(quote_ident(name)) AND a.grantee <> c.relowner
        LOOP
            IF grantee = 0 THEN
                EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM PUBLIC', name);
            ELSE
                EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM %s', name, grantee::regrole);
            END IF;
        END LOOP;
    END IF;
    RETURN name;
END;
$$;
"""

BACKWARD = "DROP FUNCTION IF EXISTS powerdesk_month_partition(regclass, date);"


class Migration(migrations.Migration):
    dependencies = [("core", "0004_seed_holiday_rules")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
