"""Roles that must confirm a sign-in with a second factor (TOTP) where the deployment requires one: the
administrator and the managers, who change data and roles across the whole company."""

from django.db import migrations, models

SEEDED = ["admin", "manager"]


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    Role.objects.filter(code__in=SEEDED).update(requires_second_factor=True)


class Migration(migrations.Migration):
    dependencies = [("org", "0008_carry_over_drf_tokens")]
    operations = [
        migrations.AddField(
            model_name="role",
            name="requires_second_factor",
            field=models.BooleanField(
                default=False,
                help_text="启用双因素认证的部署中，该角色的员工登录后须输入身份验证器应用的动态验证码。",
                verbose_name="须验证第二因素",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
