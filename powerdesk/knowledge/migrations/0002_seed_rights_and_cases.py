"""Who may write and review cases (handlers write; service managers and administrators write and
review), and the first published cases of the library (``_seed_cases_2026``), by the system account."""

import datetime as dt

from django.db import migrations

RIGHTS = {"handler": (True, False), "manager": (True, True), "admin": (True, True)}


def seed(apps, schema_editor):
    from powerdesk.knowledge.search import search_fields

    from ._seed_cases_2026 import CASES

    Role = apps.get_model("org", "Role")
    User = apps.get_model("org", "User")
    CaseRight = apps.get_model("knowledge", "CaseRight")
    Case = apps.get_model("knowledge", "Case")
    CaseVersion = apps.get_model("knowledge", "CaseVersion")
    CaseRule = apps.get_model("knowledge", "CaseRule")
    CaseStep = apps.get_model("knowledge", "CaseStep")
    Topic = apps.get_model("workorders", "Topic")
    SubType = apps.get_model("workorders", "SubType")
    for code, (author, review) in RIGHTS.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            CaseRight.objects.update_or_create(role=role, defaults={"may_author": author, "may_review": review})
    system = User.objects.filter(username="system").first()
    if system is None or Case.objects.exists():  # idempotent: tests run the seed again after a flush
        return
    topics = {t.code: t for t in Topic.objects.all()}
    sub_types = {s.code: s for s in SubType.objects.all()}
    at = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for area, btype, sub, title, tags, situation, findings, criteria, verdict, judgment, should, lessons, rules in CASES:
        case = Case.objects.create(created_by=system, created_at=at)
        version = CaseVersion.objects.create(
            case=case,
            number=1,
            state="published",
            title=title,
            area=topics[area],
            business_type=btype,
            sub_type=sub_types.get(sub),
            situation=situation,
            findings=findings,
            criteria=[{"criterion": text, "met": met, "note": ""} for text, met in criteria],
            verdict=verdict,
            judgment=judgment,
            should_have=should,
            lessons=lessons,
            tags=tags,
            author=system,
            created_at=at,
            updated_at=at,
            published_at=at,
            **search_fields(
                title=title, tags=tags, situation=situation, findings=findings, should_have=should, lessons=lessons
            ),
        )
        for i, (reference, source, valid_from) in enumerate(rules):
            CaseRule.objects.create(
                version=version, reference=reference, source=source,
                valid_from=dt.date.fromisoformat(valid_from), position=i,
            )
        CaseStep.objects.create(version=version, from_state="", to_state="published", by=system, at=at,
                                note="初始案例")


def unseed(apps, schema_editor):
    apps.get_model("knowledge", "Case").objects.all().delete()
    apps.get_model("knowledge", "CaseRight").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_cases"),
        ("org", "0013_unithead"),
        ("workorders", "0022_seed_complaint_sub_types"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
