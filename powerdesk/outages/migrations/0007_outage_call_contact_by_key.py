"""The outage call's contact: the database's foreign key points at workorders_contactkey since the contacts
were partitioned (workorders 0027, which moved it); Django's state stops managing it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outages", "0006_known_event_idempotency_notice_receipts"),
        ("workorders", "0027_partition_the_contacts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="outagecall",
                    name="contact",
                    field=models.OneToOneField(
                        db_constraint=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="outage_call",
                        to="workorders.contact",
                    ),
                ),
            ]
        ),
    ]
