"""The system account (系统): the actor of what PowerDesk does by itself on the order, such as the
automatic dispatch of a fault repair, so the timeline names it instead of a person.

It cannot log in (no usable password, inactive) and its role (``system``, seeded by migration org 0010)
may only dispatch. The demo's reset empties the staff table, so the account is made again when missing.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from powerdesk.org.models import Role, RoleScope, User

SYSTEM_USERNAME = "system"
SYSTEM_ROLE = "system"
SYSTEM_ROLE_NAME = "系统账号"
SYSTEM_FULL_NAME = "系统"
SYSTEM_TRANSITIONS = ["dispatch"]


def system_user() -> User:
    """The system account, made (with its role) when missing."""
    user = User.objects.select_related("role", "unit").filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        return user
    role, _created = Role.objects.get_or_create(
        code=SYSTEM_ROLE,
        defaults={"name": SYSTEM_ROLE_NAME, "scope": RoleScope.ALL, "transitions": SYSTEM_TRANSITIONS},
    )
    user, _created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "full_name": SYSTEM_FULL_NAME,
            "role": role,
            "is_active": False,
            "password": make_password(None),  # unusable: nobody logs in as the system
        },
    )
    return user
