"""Write the customers' stored phone numbers in the one form intake and search use (core.phones): +86 and
0086 dropped, spaces, dashes and brackets removed, extensions after a dash. A number that is not a phone
number is left as it was (an operator corrects it in the admin); a number that becomes another phone of the
same customer is the same phone, and the copy is dropped. The timeline and the contacts keep what they
recorded: they are history, not reference data."""

from django.db import migrations

BATCH = 2000


def normalise(apps, schema_editor):
    from powerdesk.core.phones import InvalidPhone
    from powerdesk.core.phones import normalise as normal_form

    CustomerPhone = apps.get_model("customers", "CustomerPhone")
    seen: set[tuple[int, str]] = set(CustomerPhone.objects.values_list("customer_id", "number"))
    changed, duplicates = [], []
    for phone in CustomerPhone.objects.order_by("id").iterator(chunk_size=BATCH):
        try:
            number = normal_form(phone.number)
        except InvalidPhone:
            continue
        if number == phone.number:
            continue
        if (phone.customer_id, number) in seen:
            duplicates.append(phone.pk)
            continue
        seen.add((phone.customer_id, number))
        phone.number = number
        changed.append(phone)
        if len(changed) >= BATCH:
            CustomerPhone.objects.bulk_update(changed, ["number"])
            changed = []
    CustomerPhone.objects.bulk_update(changed, ["number"], batch_size=BATCH)
    CustomerPhone.objects.filter(pk__in=duplicates).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True),
    ]
