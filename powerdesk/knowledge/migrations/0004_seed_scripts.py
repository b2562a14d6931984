"""The first published scripts (``_seed_scripts_2026``), by the system account, each in version 1."""

import datetime as dt

from django.db import migrations


def seed(apps, schema_editor):
    from ._seed_scripts_2026 import SCRIPTS

    User = apps.get_model("org", "User")
    Script = apps.get_model("knowledge", "Script")
    ScriptVersion = apps.get_model("knowledge", "ScriptVersion")
    ScriptStep = apps.get_model("knowledge", "ScriptStep")
    Topic = apps.get_model("workorders", "Topic")
    SubType = apps.get_model("workorders", "SubType")
    system = User.objects.filter(username="system").first()
    if system is None or Script.objects.exists():  # idempotent: tests run the seed again after a flush
        return
    topics = {t.code: t for t in Topic.objects.all()}
    sub_types = {s.code: s for s in SubType.objects.all()}
    at = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for kind, btype, topic, sub, title, body, position in SCRIPTS:
        script = Script.objects.create(created_by=system, created_at=at)
        version = ScriptVersion.objects.create(
            script=script, number=1, state="published", title=title, kind=kind, business_type=btype,
            topic=topics.get(topic), sub_type=sub_types.get(sub), body=body, position=position,
            author=system, created_at=at, updated_at=at, published_at=at,
        )
        ScriptStep.objects.create(version=version, from_state="", to_state="published", by=system, at=at,
                                  note="初始话术")


def unseed(apps, schema_editor):
    apps.get_model("knowledge", "Script").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_scripts")]
    operations = [migrations.RunPython(seed, unseed)]
