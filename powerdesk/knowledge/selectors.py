"""Reads of the case library: who may write and review, which versions a user may read, a case's
versions, and the published cases most relevant to an order."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchRank
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.utils.translation import gettext as _

from powerdesk.core import refcache
from powerdesk.core.errors import NotFound
from powerdesk.knowledge import search
from powerdesk.knowledge.models import CaseCitation, CaseRight, CaseState, CaseVersion
from powerdesk.org.models import User
from powerdesk.org.selectors import user_role
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import order_visible


def _rights() -> dict[int, tuple[bool, bool]]:
    return refcache.get(
        "knowledge.rights",
        lambda: {r.role_id: (r.may_author, r.may_review) for r in CaseRight.objects.all()},
    )


def user_may_author(user: Any) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    role = user_role(user)
    return role is not None and _rights().get(role.pk, (False, False))[0]


def user_may_review(user: Any) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    role = user_role(user)
    return role is not None and _rights().get(role.pk, (False, False))[1]


def versions_readable(user: User) -> QuerySet[CaseVersion]:
    """Published versions for everyone; authors and reviewers read every version."""
    rows = CaseVersion.objects.select_related("area", "sub_type")
    if user_may_author(user) or user_may_review(user):
        return rows
    return rows.filter(state=CaseState.PUBLISHED)


def version_get(*, user: User, case_id: int, number: int | None = None) -> CaseVersion:
    """A version of a case the user may read: ``number``, else the published one, else (for authors
    and reviewers) the latest."""
    rows = versions_readable(user).filter(case_id=case_id)
    if number is not None:
        found = rows.filter(number=number).first()
    else:
        found = rows.filter(state=CaseState.PUBLISHED).first() or rows.order_by("-number").first()
    if found is None:
        raise NotFound(_("找不到该案例。"))
    return found


def case_versions(version: CaseVersion) -> list[CaseVersion]:
    return list(CaseVersion.objects.filter(case_id=version.case_id).order_by("-number"))


def review_queue() -> QuerySet[CaseVersion]:
    return CaseVersion.objects.filter(state=CaseState.REVIEW).select_related("area", "author")


def citations_of(version: CaseVersion, *, user: User, limit: int = 20) -> list[CaseCitation]:
    """The latest citations of the case (any version) by orders the user may see."""
    return list(
        CaseCitation.objects.filter(version__case_id=version.case_id, order__in=order_visible(user))
        .select_related("order", "version")
        .order_by("-at")[:limit]
    )


LONG_FIELDS = (
    "situation", "findings", "criteria", "judgment", "should_have", "lessons",
    "search_a", "search_b", "search_c", "search_vector",
)  # fmt: skip


def relevant_cases(order: WorkOrder, *, limit: int = 3) -> list[CaseVersion]:
    """The published cases that fit ``order`` best: those of its sub-type first, then of its topic,
    then the rest by how close their text is to the order's description; within a tier, by text
    similarity too. A tier is read only while the ones before it left places free, so the usual order
    (with a sub-type) ranks just that sub-type's cases."""
    query = search.query_for(order.description or "")
    tiers: list[Q] = []
    if order.sub_type_id:
        tiers.append(Q(sub_type_id=order.sub_type_id))
    if order.topic_id:
        tiers.append(Q(area_id=order.topic_id))
    if query is not None:
        tiers.append(Q(search_vector=query))
    picked: list[CaseVersion] = []
    for condition in tiers:
        rows = CaseVersion.objects.filter(condition, state=CaseState.PUBLISHED).exclude(
            pk__in=[v.pk for v in picked]
        )
        rank = SearchRank(F("search_vector"), query) if query is not None else Value(0.0, FloatField())
        rows = rows.annotate(rank=rank).select_related("area", "sub_type").defer(*LONG_FIELDS)
        picked += list(rows.order_by("-rank", "-published_at", "-id")[: limit - len(picked)])
        if len(picked) >= limit:
            break
    return picked
