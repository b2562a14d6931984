"""The auditor (审计员): searches and exports the audit trail; sees orders everywhere, personal data
masked, and changes nothing."""

from django.db import migrations


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    Role.objects.update_or_create(
        code="auditor",
        defaults={"name": "审计员", "scope": "all", "sees_personal_data": False, "can_create_orders": False,
                  "transitions": [], "can_read_audit": True},
    )


class Migration(migrations.Migration):
    dependencies = [("org", "0006_api_tokens_and_audit_role")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
