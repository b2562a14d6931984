"""The angry-wording lexicon moves to the one lexicon of triage (kind ``angry``): every AngryTerm row
becomes a LexiconTerm row with its weight, state and note; the early warning reads it from there."""

import importlib

from django.db import migrations


def move(apps, schema_editor):
    LexiconTerm = apps.get_model("triage", "LexiconTerm")
    try:
        AngryTerm = apps.get_model("risk", "AngryTerm")
    except LookupError:
        # run again with today's models (the tests' re-seed after a flush): the seeded words themselves
        seeded = importlib.import_module("powerdesk.risk.migrations.0002_seed").TERMS
        rows = [(term, weight, True, note) for term, weight, note in seeded]
    else:
        rows = [(r.term, r.weight, r.is_active, r.note) for r in AngryTerm.objects.all()]
    for term, weight, is_active, note in rows:
        LexiconTerm.objects.update_or_create(
            term=term, kind="angry", defaults={"weight": weight, "is_active": is_active, "note": note}
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
