"""The timeline refuses TRUNCATE too (a statement trigger, beside the row trigger of 0002 refusing
UPDATE and DELETE). The owner empties it only past the guard: powerdesk.core.appendonly."""

from django.db import migrations

FORWARD = """
CREATE TRIGGER workorders_workorderevent_no_truncate
    BEFORE TRUNCATE ON workorders_workorderevent
    FOR EACH STATEMENT EXECUTE FUNCTION workorders_event_append_only();
"""

BACKWARD = "DROP TRIGGER IF EXISTS workorders_workorderevent_no_truncate ON workorders_workorderevent;"


class Migration(migrations.Migration):
    dependencies = [("workorders", "0014_topic_business_types")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
