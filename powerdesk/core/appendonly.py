"""Append-only tables: the SQL that protects one, and the owner's way to empty them.

A protected table has a row trigger refusing UPDATE and DELETE and a statement trigger refusing
TRUNCATE (named ``<table>_no_truncate``), each raising ``insufficient_privilege``: the order timeline
(workorders 0002 and 0015) and the audit trail (audit 0001). Its migration runs :func:`protect_sql`.

Emptying such a table is for the schema's owner only, and only for a whole data set: the demo reset,
the benchmarks' seeding, the test session's flush between transactional tests. They run their TRUNCATE
between :data:`LIFT_TRUNCATE_GUARDS` and :data:`RESTORE_TRUNCATE_GUARDS`, in one transaction:
``ALTER TABLE … DISABLE TRIGGER`` needs the table's owner (the application role cannot), and the
table stays locked until the guard is back, so no other session ever sees it lifted.
"""

from __future__ import annotations

TRUNCATE_GUARD_SUFFIX = "_no_truncate"


def protect_sql(table: str, function: str) -> tuple[str, str]:
    """(forward, backward) SQL: refuse UPDATE, DELETE and TRUNCATE on ``table`` with ``function``."""
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER {table}_no_update_delete
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();

CREATE TRIGGER {table}{TRUNCATE_GUARD_SUFFIX}
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""
    backward = f"""
DROP TRIGGER IF EXISTS {table}{TRUNCATE_GUARD_SUFFIX} ON {table};
DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};
DROP FUNCTION IF EXISTS {function}();
"""
    return forward, backward


def _toggle(action: str) -> str:
    return f"""
DO $$
DECLARE guard record;
BEGIN
    FOR guard IN
        SELECT tgrelid::regclass AS rel, tgname FROM pg_trigger
        WHERE NOT tgisinternal AND tgname LIKE '%{TRUNCATE_GUARD_SUFFIX.replace("_", chr(92) + "_")}'
    LOOP
        EXECUTE format('ALTER TABLE %s {action} TRIGGER %I', guard.rel, guard.tgname);
    END LOOP;
END $$;
"""  # noqa: S608 - built from this module's constants


LIFT_TRUNCATE_GUARDS = _toggle("DISABLE")
RESTORE_TRUNCATE_GUARDS = _toggle("ENABLE")


def owner_truncate(statements: list[str]) -> list[str]:
    """``statements`` (TRUNCATEs) to run in one transaction as the owner, past the append-only guards."""
    return [LIFT_TRUNCATE_GUARDS, *statements, RESTORE_TRUNCATE_GUARDS]
