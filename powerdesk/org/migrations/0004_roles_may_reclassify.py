"""The roles that triage or handle orders may correct what an order is (重新分类): the agents who took
the call, the dispatchers, the back-office handlers, the managers and the administrators."""

from django.db import migrations

ROLES = ["agent", "dispatcher", "handler", "manager", "admin"]


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code__in=ROLES):
        if "reclassify" not in role.transitions:
            role.transitions = [*role.transitions, "reclassify"]
            role.save(update_fields=["transitions"])


class Migration(migrations.Migration):
    dependencies = [("org", "0003_unit_path")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
