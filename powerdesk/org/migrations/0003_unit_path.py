# The materialised path of every unit ("/1/3/17/"), maintained by PostgreSQL itself so that every
# writer keeps it right: the admin, the demo loader, the bench seed's raw SQL, factories.
#
# * org_unit_path (BEFORE INSERT, BEFORE UPDATE OF id, parent_id, path): computes the path from the
#   parent's; refuses a unit under itself or under its own descendant (a cycle). A parent not inserted
#   yet (Django's foreign keys are deferred, so fixtures may load a child first) leaves the path '' for
#   the moment: the parent's insert fills it in (the cascade below).
# * org_unit_path_cascade (AFTER INSERT, AFTER UPDATE when the path changed): touches the children, whose
#   BEFORE trigger recomputes their path, which cascades further down.
# * org_unit_path_complete (a constraint trigger, deferred to COMMIT): no unit commits without a full
#   path (a parent that never came, or a cycle of units inserted parent-less first).
#
# All three are ENABLE ALWAYS: they fire under session_replication_role = replica too (the bench seed
# loads that way to skip the foreign-key checks), since the path is data the reads rely on.

from django.db import migrations, models

TRIGGERS = r"""
CREATE FUNCTION org_unit_path() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent_path varchar;
BEGIN
    IF NEW.parent_id IS NULL THEN
        NEW.path := '/' || NEW.id || '/';
        RETURN NEW;
    END IF;
    IF NEW.parent_id = NEW.id THEN
        RAISE EXCEPTION 'unit % cannot be its own parent', NEW.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    SELECT u.path INTO parent_path FROM org_unit u WHERE u.id = NEW.parent_id;
    IF parent_path IS NULL OR parent_path = '' THEN
        NEW.path := '';  -- the parent comes later in this transaction; its insert completes the path
    ELSIF position('/' || NEW.id || '/' IN parent_path) > 0 THEN
        RAISE EXCEPTION 'unit % cannot be placed under its own descendant %', NEW.id, NEW.parent_id
            USING ERRCODE = 'integrity_constraint_violation';
    ELSE
        NEW.path := parent_path || NEW.id || '/';
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION org_unit_path_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Setting path makes each child's BEFORE trigger recompute it from this row.
    UPDATE org_unit SET path = '' WHERE parent_id = NEW.id AND id <> NEW.id;
    RETURN NULL;
END
$$;

CREATE FUNCTION org_unit_path_complete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM org_unit u WHERE u.id = NEW.id AND u.path = '') THEN
        RAISE EXCEPTION 'unit % has no path to a root unit (missing parent or a cycle)', NEW.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER org_unit_path BEFORE INSERT OR UPDATE OF id, parent_id, path ON org_unit
    FOR EACH ROW EXECUTE FUNCTION org_unit_path();
CREATE TRIGGER org_unit_path_cascade_insert AFTER INSERT ON org_unit
    FOR EACH ROW EXECUTE FUNCTION org_unit_path_cascade();
CREATE TRIGGER org_unit_path_cascade_update AFTER UPDATE ON org_unit
    FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION org_unit_path_cascade();
CREATE CONSTRAINT TRIGGER org_unit_path_complete AFTER INSERT OR UPDATE ON org_unit
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION org_unit_path_complete();

ALTER TABLE org_unit ENABLE ALWAYS TRIGGER org_unit_path;
ALTER TABLE org_unit ENABLE ALWAYS TRIGGER org_unit_path_cascade_insert;
ALTER TABLE org_unit ENABLE ALWAYS TRIGGER org_unit_path_cascade_update;
ALTER TABLE org_unit ENABLE ALWAYS TRIGGER org_unit_path_complete;
"""

# Setting the roots' path cascades down the whole tree. After the index: PostgreSQL refuses CREATE INDEX
# on a table with pending (deferred) trigger events.
BACKFILL = "UPDATE org_unit SET path = '' WHERE parent_id IS NULL"

DROP_TRIGGERS = """
DROP TRIGGER org_unit_path_complete ON org_unit;
DROP TRIGGER org_unit_path_cascade_update ON org_unit;
DROP TRIGGER org_unit_path_cascade_insert ON org_unit;
DROP TRIGGER org_unit_path ON org_unit;
DROP FUNCTION org_unit_path_complete();
DROP FUNCTION org_unit_path_cascade();
DROP FUNCTION org_unit_path();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_seed_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="path",
            field=models.CharField(db_default="", editable=False, max_length=255, verbose_name="路径"),
        ),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
        migrations.AddIndex(
            model_name="unit",
            index=models.Index(fields=["path"], name="unit_path", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
