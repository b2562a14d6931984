"""Reading a user's scope in tests through the filter the selectors apply."""

from __future__ import annotations

from powerdesk.org.models import Unit, User
from powerdesk.org.selectors import visible_units_filter


def visible_unit_ids(user: User) -> set[int] | None:
    """The ids of the units ``visible_units_filter`` lets ``user`` see; ``None`` means every unit."""
    scope = visible_units_filter(user, "pk")
    if scope is None:
        return None
    return set(Unit.objects.filter(scope).values_list("pk", flat=True))
