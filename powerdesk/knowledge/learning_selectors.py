"""Reads of 以案普法 (learning assignments): who may assign and follow them, a person's own
assignments, and the manager's view per unit — always within the reader's units
(``org.selectors.visible_units_filter`` on the unit each recipient belonged to when assigned)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from powerdesk.core import clock, refcache
from powerdesk.knowledge import rules
from powerdesk.knowledge.models import CaseRight, LearningAssignment, LearningRecipient
from powerdesk.org.models import Unit, UnitHead, User
from powerdesk.org.selectors import user_role, visible_units_filter


def _assigners() -> frozenset[int]:
    return refcache.get(
        "knowledge.assign_rights",
        lambda: frozenset(CaseRight.objects.filter(may_assign=True).values_list("role_id", flat=True)),
    )


def user_may_assign(user: Any) -> bool:
    """Whether the user may assign cases for learning (``CaseRight.may_assign`` of their role)."""
    if getattr(user, "is_superuser", False):
        return True
    role = user_role(user)
    return role is not None and role.pk in _assigners()


def user_follows_learning(user: User) -> bool:
    """Who sees the manager's view: those who may assign, and unit heads (of their own subtree)."""
    return user_may_assign(user) or UnitHead.objects.filter(user_id=user.pk).exists()


def my_assignments(user: User, *, open_only: bool = False) -> QuerySet[LearningRecipient]:
    """The user's own rows: open ones soonest due first, then the confirmed ones, latest first."""
    rows = LearningRecipient.objects.filter(user_id=user.pk).select_related(
        "assignment__version", "assignment__created_by"
    )
    if open_only:
        rows = rows.filter(confirmed_at__isnull=True)
    return rows.order_by(F("confirmed_at").desc(nulls_first=True), "assignment__due_date", "-assignment_id")


HOME_LIMIT = 10


def open_learning(user: User) -> list[LearningRecipient]:
    """The home page's list: the user's open assignments, soonest due first, each marked overdue."""
    rows = list(
        LearningRecipient.objects.filter(user_id=user.pk, confirmed_at__isnull=True)
        .select_related("assignment__version")
        .order_by("assignment__due_date", "assignment_id")[:HOME_LIMIT]
    )
    today = clock.local_date()
    for row in rows:
        row.overdue = is_overdue(row, today)
    return rows


def recipients_visible(user: User) -> QuerySet[LearningRecipient]:
    rows = LearningRecipient.objects.all()
    visible = visible_units_filter(user, "unit_id")
    return rows.filter(visible) if visible is not None else rows


def assignments_followed(
    user: User, *, case_id: int | None = None, overdue_only: bool = False
) -> QuerySet[LearningAssignment]:
    """Assignments with someone in the user's units, with counts of those people only: ``total``,
    ``confirmed`` and ``overdue`` (not confirmed after the due day)."""
    visible = visible_units_filter(user, "recipients__unit_id")
    today = clock.local_date()
    in_scope = visible if visible is not None else Q()
    rows = LearningAssignment.objects.filter(
        Exists(recipients_visible(user).filter(assignment_id=OuterRef("pk")))
    ).annotate(
        total=Count("recipients", filter=in_scope),
        confirmed=Count("recipients", filter=in_scope & Q(recipients__confirmed_at__isnull=False)),
        overdue=Count(
            "recipients",
            filter=in_scope & Q(recipients__confirmed_at__isnull=True, due_date__lt=today),
        ),
    )
    if case_id is not None:
        rows = rows.filter(version__case_id=case_id)
    if overdue_only:
        rows = rows.filter(overdue__gt=0)
    return rows.select_related("version", "unit", "role", "created_by", "order").order_by(
        "-created_at", "-id"
    )


def assignment_followed(user: User, pk: int) -> LearningAssignment | None:
    return assignments_followed(user).filter(pk=pk).first()


@dataclass
class UnitProgress:
    unit: Unit | None
    confirmed: list[LearningRecipient] = field(default_factory=list)
    pending: list[LearningRecipient] = field(default_factory=list)
    overdue: int = 0

    @property
    def total(self) -> int:
        return len(self.confirmed) + len(self.pending)


def progress_by_unit(
    user: User, assignment: LearningAssignment, *, unit: Unit | None = None, status: str = ""
) -> list[UnitProgress]:
    """Per unit (each recipient's unit when assigned), who has confirmed and who has not, within the
    user's units and, with ``unit``, that unit's subtree; ``status`` narrows to confirmed, open or
    overdue people. Each pending person carries ``status`` (open or overdue)."""
    rows = recipients_visible(user).filter(assignment=assignment).select_related("user", "unit")
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    today = clock.local_date()
    groups: dict[int | None, UnitProgress] = {}
    for row in rows.order_by("unit__path", "user__username"):
        row.status = rules.learning_status(
            confirmed=row.confirmed_at is not None, due_date=assignment.due_date, today=today
        )
        if status and row.status != status:
            continue
        group = groups.setdefault(row.unit_id, UnitProgress(unit=row.unit))
        if row.status == rules.CONFIRMED:
            group.confirmed.append(row)
        else:
            group.pending.append(row)
            group.overdue += row.status == rules.OVERDUE
    return list(groups.values())


def assignment_counts(rectification_ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    """For rectifications: how many assignments name each, and their people (total, confirmed)."""
    if not rectification_ids:
        return {}
    assignments = dict(
        LearningAssignment.objects.filter(rectification_id__in=rectification_ids)
        .values("rectification_id")
        .annotate(n=Count("id"))
        .values_list("rectification_id", "n")
    )
    people = {
        r["assignment__rectification_id"]: (r["total"], r["confirmed"])
        for r in LearningRecipient.objects.filter(assignment__rectification_id__in=rectification_ids)
        .values("assignment__rectification_id")
        .annotate(total=Count("id"), confirmed=Count("id", filter=Q(confirmed_at__isnull=False)))
    }
    return {pk: (n, *people.get(pk, (0, 0))) for pk, n in assignments.items()}


def is_overdue(recipient: LearningRecipient, today: dt.date | None = None) -> bool:
    return (
        rules.learning_status(
            confirmed=recipient.confirmed_at is not None,
            due_date=recipient.assignment.due_date,
            today=today or clock.local_date(),
        )
        == rules.OVERDUE
    )
