"""Field staff (who may be named as an order's handler at dispatch) as a flag of the role, and the
system account that dispatches fault repairs by itself when a routing rule says so."""

from django.contrib.auth.hashers import make_password
from django.db import migrations, models

FIELD_STAFF = ["repair", "handler"]


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    User = apps.get_model("org", "User")
    Role.objects.filter(code__in=FIELD_STAFF).update(is_field_staff=True)
    role, _ = Role.objects.update_or_create(
        code="system",
        defaults={"name": "系统账号", "scope": "all", "sees_personal_data": False, "can_create_orders": False,
                  "transitions": ["dispatch"], "can_read_audit": False, "is_field_staff": False},
    )
    # It reads no personal data: every field masked, nothing to reveal (org 0011's rule for a role
    # that does not need them).
    FieldPolicy = apps.get_model("org", "FieldPolicy")
    for field in ["name", "phone", "address", "id_number", "account_no", "contact_phone", "description"]:
        FieldPolicy.objects.get_or_create(
            role=role, field=field, defaults={"disclosure": "masked", "may_reveal": False}
        )
    User.objects.get_or_create(
        username="system",
        defaults={"full_name": "系统", "role": role, "is_active": False, "password": make_password(None)},
    )


class Migration(migrations.Migration):
    dependencies = [("org", "0011_seed_field_policies")]
    operations = [
        migrations.AddField(
            model_name="role",
            name="is_field_staff",
            field=models.BooleanField(
                default=False,
                help_text="派单时可作为处理人的岗位，如抢修人员、处理人员。",
                verbose_name="可被指派处理工单",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
