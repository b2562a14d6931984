"""Reads about the organisation that other apps share, above all: what may this user see."""

from __future__ import annotations

from powerdesk.org.models import Role, RoleScope, Unit, User


def user_role(user: User) -> Role | None:
    return getattr(user, "role", None)


def user_sees_all(user: User) -> bool:
    if user.is_superuser:
        return True
    role = user_role(user)
    return role is not None and role.scope == RoleScope.ALL


def user_visible_unit_ids(user: User) -> list[int] | None:
    """Unit ids whose orders and customers the user may see; ``None`` means every unit."""
    if user_sees_all(user):
        return None
    cached = getattr(user, "_visible_unit_ids", None)
    if cached is not None:
        return cached
    ids = Unit.objects.subtree_ids(user.unit_id) if user.unit_id else []
    user._visible_unit_ids = ids  # type: ignore[attr-defined]
    return ids


def user_sees_personal_data(user: User) -> bool:
    if user.is_superuser:
        return True
    role = user_role(user)
    return bool(role and role.sees_personal_data)


def user_may(user: User, transition: str) -> bool:
    if user.is_superuser:
        return True
    role = user_role(user)
    return bool(role and transition in role.transitions)


def user_can_create_orders(user: User) -> bool:
    if user.is_superuser:
        return True
    role = user_role(user)
    return bool(role and role.can_create_orders)
