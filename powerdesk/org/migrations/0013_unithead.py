import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("org", "0012_role_is_field_staff_system_account")]

    operations = [
        migrations.CreateModel(
            name="UnitHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "unit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="head",
                        to="org.unit",
                        verbose_name="单位",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.user",
                        verbose_name="负责人",
                    ),
                ),
            ],
            options={"verbose_name": "单位负责人", "verbose_name_plural": "单位负责人"},
        ),
    ]
