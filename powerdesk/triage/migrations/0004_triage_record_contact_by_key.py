"""The triage record's contact: the database's foreign key points at workorders_contactkey since the
contacts were partitioned (workorders 0027, which moved it); Django's state stops managing it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0003_more_hazard_terms"),
        ("workorders", "0027_partition_the_contacts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="triagerecord",
                    name="contact",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=models.deletion.CASCADE,
                        related_name="+",
                        to="workorders.contact",
                    ),
                ),
            ]
        ),
    ]
