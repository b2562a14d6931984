"""Everyone who works an order may record a call to the customer (联系客户): the agents, dispatchers,
repair crews, handlers, callback agents, managers and administrators."""

from django.db import migrations

ROLES = ["agent", "dispatcher", "repair", "handler", "callback", "manager", "admin"]


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code__in=ROLES):
        if "call_out" not in role.transitions:
            role.transitions = [*role.transitions, "call_out"]
            role.save(update_fields=["transitions"])


class Migration(migrations.Migration):
    dependencies = [("org", "0004_roles_may_reclassify")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
