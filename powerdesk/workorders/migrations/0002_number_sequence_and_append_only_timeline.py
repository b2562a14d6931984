"""Order numbers come from a sequence; the timeline refuses UPDATE and DELETE at the database level."""

from django.db import migrations

FORWARD = """
CREATE SEQUENCE IF NOT EXISTS workorder_number_seq;

CREATE OR REPLACE FUNCTION workorders_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workorders_workorderevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER workorders_event_no_update_delete
    BEFORE UPDATE OR DELETE ON workorders_workorderevent
    FOR EACH ROW EXECUTE FUNCTION workorders_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS workorders_event_no_update_delete ON workorders_workorderevent;
DROP FUNCTION IF EXISTS workorders_event_append_only();
DROP SEQUENCE IF EXISTS workorder_number_seq;
"""


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
