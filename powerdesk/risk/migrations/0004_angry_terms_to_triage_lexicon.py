"""The angry-wording lexicon moves to the one lexicon of triage (kind ``angry``): every AngryTerm row
becomes a LexiconTerm row with its weight, state and note; the early warning reads it from there."""

from django.db import migrations


def move(apps, schema_editor):
    AngryTerm = apps.get_model("risk", "AngryTerm")
    LexiconTerm = apps.get_model("triage", "LexiconTerm")
    for row in AngryTerm.objects.all():
        LexiconTerm.objects.update_or_create(
            term=row.term,
            kind="angry",
            defaults={"weight": row.weight, "is_active": row.is_active, "note": row.note},
        )


def back(apps, schema_editor):
    AngryTerm = apps.get_model("risk", "AngryTerm")
    LexiconTerm = apps.get_model("triage", "LexiconTerm")
    for row in LexiconTerm.objects.filter(kind="angry"):
        AngryTerm.objects.update_or_create(
            term=row.term, defaults={"weight": row.weight, "is_active": row.is_active, "note": row.note}
        )


class Migration(migrations.Migration):
    dependencies = [("risk", "0003_outage_factor"), ("triage", "0002_seed_lexicon")]
    operations = [migrations.RunPython(move, back)]
