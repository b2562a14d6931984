"""Reads of the early warning: the ranked at-risk list in the user's scope (orders through
``order_visible``), and its count per unit."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from powerdesk.org.models import Unit, User
from powerdesk.risk import reference
from powerdesk.risk.models import OrderRisk
from powerdesk.workorders.choices import OPEN_STATUSES
from powerdesk.workorders.selectors import order_visible

# Highest score first; of equal scores the one re-scored last (the latest news), then the order's id so
# pages never overlap.
RANKING = ("-score", "-computed_at", "order_id")


def threshold() -> int:
    policy = reference.policy()
    return policy.threshold if policy is not None else 0


def _scoped(user: User) -> QuerySet[OrderRisk]:
    open_orders = order_visible(user).filter(status__in=OPEN_STATUSES)
    return OrderRisk.objects.filter(score__gt=0, order__in=open_orders.values("pk"))


def risk_orders(*, user: User, unit: Unit | None = None, min_score: int | None = None) -> QuerySet[OrderRisk]:
    """The open orders the user may see that score anything (or at least ``min_score``), ranked; with
    ``unit``, those handled by that unit or a unit below it."""
    qs = _scoped(user)
    if min_score:
        qs = qs.filter(score__gte=min_score)
    if unit is not None:
        qs = qs.filter(order__unit_id__in=Unit.objects.subtree_ids(unit.pk))
    return qs.select_related("order", "order__unit", "order__assignee", "order__sub_type").order_by(*RANKING)


def risk_counts_per_unit(*, user: User, min_score: int | None = None) -> list[dict[str, Any]]:
    """How many at-risk orders each handling unit has (at least ``min_score``, by default the
    threshold), most first."""
    floor = min_score if min_score is not None else max(threshold(), 1)
    rows = (
        _scoped(user)
        .filter(score__gte=floor)
        .values("order__unit_id", "order__unit__name")
        .annotate(n=Count("order_id"))
        .order_by("-n", "order__unit__name")
    )
    return [dict(row) for row in rows]
