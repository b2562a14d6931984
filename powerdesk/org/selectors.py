"""Reads about the organisation that other apps share, above all: what may this user see."""

from __future__ import annotations

from django.db.models import Q

from powerdesk.org.models import Role, RoleScope, Unit, User


def user_role(user: User) -> Role | None:
    return getattr(user, "role", None)


def user_sees_all(user: User) -> bool:
    if user.is_superuser:
        return True
    role = user_role(user)
    return role is not None and role.scope == RoleScope.ALL


def _own_path(user: User) -> str:
    """The path of the user's unit ("/1/3/"), '' without one. ``user.unit`` is loaded once per user
    object (Django caches it), so a request pays at most one tiny query for it."""
    if not user.unit_id:
        return ""
    unit = user.unit
    return unit.path if unit is not None else ""


def visible_units_filter(user: User, field: str) -> Q | None:
    """A filter of ``field`` (a unit FK such as ``"unit_id"``) to the user's unit subtree; None for all.

    The subtree goes to PostgreSQL as ``field IN (SELECT id FROM org_unit WHERE path LIKE '/1/3/%')``
    with the user's path as a constant: the planner estimates it from the ``path`` statistics (a literal
    list of a county's thousand ids takes longer to plan than the query takes to run, and a recursive
    subquery is estimated blindly).
    """
    if user_sees_all(user):
        return None
    path = _own_path(user)
    if not path:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": Unit.objects.filter(path__startswith=path).values("id")})


def user_sees_unit(user: User, unit: Unit | None) -> bool:
    """Whether ``unit`` is in the user's scope (``visible_units_filter`` for one loaded unit).

    Decided from the two paths without a query when the user's unit is loaded (it is cached on the
    user after the first call). ``None`` (e.g. a customer without an area) is seen by the see-all
    roles only, as the filters above would have it."""
    if user_sees_all(user):
        return True
    if unit is None:
        return False
    path = _own_path(user)
    return bool(path) and (unit.pk == user.unit_id or unit.path.startswith(path))


def unit_company_id(unit: Unit) -> int:
    """The company (公司) ``unit`` belongs to: the root of its unit tree, read from its path ("/1/3/17/" →
    1). In a deployment the root is the province company (省公司), so every order, contact, event and
    clock of a province carries one company id: the column the hot queries filter by and a distributed
    PostgreSQL would shard on (docs/scaling.md). A county running PowerDesk alone is its own company.

    The one home of this rule: the intake stamps the new order with it, and the rows under an order
    inherit the order's (workorders migration 0023)."""
    path = unit.path
    if not path:  # a unit not yet saved has no path: it is its own root
        return unit.pk
    return int(path.split("/", 2)[1])


def user_company_id(user: User) -> int | None:
    """The company of the user's unit (:func:`unit_company_id`); None for a user without a unit."""
    if not user.unit_id:
        return None
    unit = user.unit
    return unit_company_id(unit) if unit is not None else None


def company_ids() -> list[int]:
    """Every company: the roots of the unit tree (the sweep runs once per company)."""
    return list(Unit.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True))


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


def user_may_read_audit(user: User) -> bool:
    """Whether the user may search and export the audit trail (the auditor role; superusers)."""
    if user.is_superuser:
        return True
    role = user_role(user)
    return bool(role and role.can_read_audit)
