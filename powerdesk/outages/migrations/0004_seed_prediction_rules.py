"""Seed the prediction figures for everywhere, in normal and in storm mode (data: administrators change
them, or add rows for a unit, in the admin 停电研判规则)."""

from django.db import migrations

# storm, N calls, P %, callers before P counts, T minutes, K children, probable after (min), proof valid (min)
RULES = [
    (False, 3, 30, 2, 30, 2, 15, 60),
    # A storm day: calls come faster and from wider areas, so more of them before a transformer is
    # predicted, a longer window, and roll-up only with more children out.
    (True, 5, 40, 3, 60, 3, 10, 120),
]


def seed(apps, schema_editor):
    PredictionRule = apps.get_model("outages", "PredictionRule")
    for storm, n, p, p_min, t, k, probable, proof in RULES:
        PredictionRule.objects.get_or_create(
            unit=None,
            storm=storm,
            defaults={
                "min_calls": n,
                "min_percent": p,
                "percent_min_calls": p_min,
                "window_minutes": t,
                "rollup_children": k,
                "probable_after_minutes": probable,
                "proof_valid_minutes": proof,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("outages", "0003_prediction_from_calls")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
