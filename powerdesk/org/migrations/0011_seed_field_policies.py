"""Seed the masking policy (``org.FieldPolicy``): what each seeded role sees of personal data.

The roles that work a call or an order (agent, dispatcher, repair, handler, callback, admin) see every
field in full, as they did. The service manager and the auditor saw phones, ID numbers and addresses
masked in the API but addresses (and every name) in full on the console: now both see names, phones,
addresses, ID numbers, account numbers and callers' numbers masked everywhere; the manager may reveal
one with a reason (audited), the auditor may not. The free-text description stays in full for every
role (the staff need it to act); a role can be given ``masked`` (ID and phone numbers inside the text
masked) or ``hidden`` in the admin.
"""

from django.db import migrations

FIELDS = ["name", "phone", "address", "id_number", "account_no", "contact_phone", "description"]
PERSONAL = ["name", "phone", "address", "id_number", "account_no", "contact_phone"]

# role code → {field: (disclosure, may reveal)}; fields not named are full.
MASKED_ROLES = {
    "manager": {field: ("masked", True) for field in PERSONAL},
    "auditor": {field: ("masked", False) for field in PERSONAL},
}


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    FieldPolicy = apps.get_model("org", "FieldPolicy")
    for role in Role.objects.all():
        rules = MASKED_ROLES.get(role.code)
        if rules is None and not role.sees_personal_data:
            # A role added in the admin before this policy existed: masked, as it was.
            rules = {field: ("masked", False) for field in PERSONAL}
        for field in FIELDS:
            disclosure, may_reveal = (rules or {}).get(field, ("full", False))
            FieldPolicy.objects.get_or_create(
                role=role, field=field, defaults={"disclosure": disclosure, "may_reveal": may_reveal}
            )


class Migration(migrations.Migration):
    dependencies = [("org", "0010_field_policy")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
