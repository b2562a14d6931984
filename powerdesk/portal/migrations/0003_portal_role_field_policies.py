"""The portal role's personal-data rules: its accounts only file and cancel on a customer's behalf and
never read a console page or an API answer, so every kind of personal data is hidden from them and may
not be revealed (a role without rows would see it masked; stated rows say it was decided)."""

from django.db import migrations

FIELDS = ("name", "phone", "address", "id_number", "account_no", "contact_phone", "description")


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    FieldPolicy = apps.get_model("org", "FieldPolicy")
    role = Role.objects.filter(code="portal").first()
    if role is None:
        return
    for field in FIELDS:
        FieldPolicy.objects.get_or_create(
            role=role, field=field, defaults={"disclosure": "hidden", "may_reveal": False}
        )


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_seed")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
