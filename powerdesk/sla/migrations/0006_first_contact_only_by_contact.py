"""首次联系客户 is met only when the customer was contacted: a call that reached them (联系客户 with
"reached", the clocks' trigger ``contact_reached``) or a visit (到达现场). Taking the order (接单) or
writing the handler's reply (回单) contacts nobody, so neither meets it any more. Only rows still as
seeded are changed; a policy an administrator edited keeps its own list."""

from django.db import migrations

SEEDED = ["take", "reply", "answer"]
HONEST = ["contact_reached", "arrive"]


def forward(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaPolicy.objects.filter(clock_kind="first_contact", stops_on=SEEDED).update(stops_on=HONEST)


def backward(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaPolicy.objects.filter(clock_kind="first_contact", stops_on=HONEST).update(stops_on=SEEDED)


class Migration(migrations.Migration):
    dependencies = [("sla", "0005_unread_fk_indexes")]
    operations = [migrations.RunPython(forward, backward)]
