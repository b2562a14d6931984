"""Seed the reliability settings: DL/T 836's 3-minute and IEEE 1366's 5-minute cut-offs, the 2.5 β
Major Event Day method over five years of history."""

from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    Settings = apps.get_model("reliability", "ReliabilitySettings")
    if not Settings.objects.exists():
        Settings.objects.create(
            dlt_cutoff_seconds=180,
            ieee_cutoff_seconds=300,
            med_beta_multiplier=Decimal("2.50"),
            med_history_years=5,
        )


class Migration(migrations.Migration):
    dependencies = [("reliability", "0001_settings")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
