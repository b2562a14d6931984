"""Hazard words the first lexicon lacked: a leaning pole and a transformer spilling oil are named as
safety hazards by issue #15, and fire, shock and reach have more ways to be said than the first rows
held. ``电麻`` goes: it is found inside the everyday “停电麻烦你们”, which made such calls urgent; “电得发麻”
and “麻了一下” say the shock without that. Data like the first rows: administrators tune them in the admin
(分诊词库)."""

from django.db import migrations

HAZARD = [
    # term, weight, note
    ("倾斜", 4, "杆塔倾斜"), ("杆歪", 4, "杆塔倾斜"), ("杆子歪", 4, "杆塔倾斜"), ("快倒了", 4, "杆塔倾斜"),
    ("喷油", 4, "变压器喷油"), ("漏油", 4, "变压器漏油"), ("电击", 5, "人身触电"), ("火苗", 5, "火情"),
    ("火光", 4, "火情"), ("火球", 5, "火情"), ("烧化", 4, "过热"), ("熔化", 4, "过热"),
    ("够得着", 4, "导线下垂"), ("摸得到", 4, "导线下垂"), ("手能碰到", 4, "导线下垂"),
    ("电得发麻", 4, "人身触电"), ("麻了一下", 4, "人身触电"),
]
DROPPED = [("电麻", 4, "人身触电")]


def seed(apps, schema_editor):
    LexiconTerm = apps.get_model("triage", "LexiconTerm")
    for term, weight, note in HAZARD:
        LexiconTerm.objects.update_or_create(term=term, kind="hazard", defaults={"weight": weight, "note": note})
    LexiconTerm.objects.filter(kind="hazard", term__in=[t for t, _w, _n in DROPPED]).delete()


def unseed(apps, schema_editor):
    LexiconTerm = apps.get_model("triage", "LexiconTerm")
    LexiconTerm.objects.filter(kind="hazard", term__in=[t for t, _w, _n in HAZARD]).delete()
    for term, weight, note in DROPPED:
        LexiconTerm.objects.update_or_create(term=term, kind="hazard", defaults={"weight": weight, "note": note})


class Migration(migrations.Migration):
    dependencies = [("triage", "0002_seed_lexicon")]
    operations = [migrations.RunPython(seed, unseed)]
