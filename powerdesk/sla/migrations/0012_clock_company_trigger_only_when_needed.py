"""The clocks' company trigger runs only for a clock written without its company (the intake's carry
it), as the timeline's does (workorders 0031)."""

from django.db import migrations

FORWARD = """
DROP TRIGGER sla_clock_company ON sla_clock;
CREATE TRIGGER sla_clock_company BEFORE INSERT ON sla_clock
    FOR EACH ROW WHEN (NEW.company_id IS NULL) EXECUTE FUNCTION workorders_inherit_company();
"""

BACKWARD = """
DROP TRIGGER sla_clock_company ON sla_clock;
CREATE TRIGGER sla_clock_company BEFORE INSERT ON sla_clock
    FOR EACH ROW EXECUTE FUNCTION workorders_inherit_company();
"""


class Migration(migrations.Migration):
    dependencies = [("sla", "0011_merge_company_and_portal")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
