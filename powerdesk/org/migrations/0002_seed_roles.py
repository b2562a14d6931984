"""Seed the staff roles. Roles are data: an administrator edits them in the admin."""

from django.db import migrations

ALL = ["dispatch", "take", "arrive", "resolve", "reply", "callback", "archive", "answer", "transfer", "return",
       "suspend", "resume", "chase", "escalate", "merge", "reopen", "note"]

ROLES = [
    # code, name, scope, sees personal data, may take calls, transitions
    ("agent", "客服专员", "subtree", True, True, ["answer", "chase", "escalate", "merge", "note"]),
    ("dispatcher", "调度员", "subtree", True, True,
     ["dispatch", "transfer", "suspend", "resume", "chase", "escalate", "merge", "reopen", "note"]),
    ("repair", "抢修人员", "subtree", True, False,
     ["take", "arrive", "resolve", "reply", "return", "suspend", "resume", "note"]),
    ("handler", "处理人员", "subtree", True, False,
     ["take", "resolve", "reply", "return", "suspend", "resume", "note"]),
    ("callback", "回访员", "subtree", True, False, ["callback", "archive", "reopen", "note"]),
    ("manager", "服务管理", "all", False, True, ALL),
    ("admin", "系统管理员", "all", True, True, ALL),
]


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for code, name, scope, pii, create, transitions in ROLES:
        Role.objects.update_or_create(
            code=code,
            defaults={"name": name, "scope": scope, "sees_personal_data": pii, "can_create_orders": create,
                      "transitions": transitions},
        )


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
