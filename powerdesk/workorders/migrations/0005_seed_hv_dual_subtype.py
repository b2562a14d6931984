from django.db import migrations


def seed(apps, schema_editor):
    SubType = apps.get_model("workorders", "SubType")
    SubType.objects.update_or_create(
        code="app_new_hv_dual", defaults={"business_type": "application", "name": "高压双电源新装", "sort_order": 60}
    )


class Migration(migrations.Migration):
    dependencies = [("workorders", "0004_alter_workorderevent_kind")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
