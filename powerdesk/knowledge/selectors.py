"""Reads of the case library: who may write and review, which versions a user may read, a case's
versions, and the published cases most relevant to an order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchRank
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from powerdesk.core import refcache
from powerdesk.core.errors import NotFound
from powerdesk.customers.models import Customer
from powerdesk.knowledge import rules, search
from powerdesk.knowledge.models import (
    CaseCitation,
    CaseRight,
    CaseState,
    CaseVersion,
    ScriptKind,
    ScriptVersion,
)
from powerdesk.org.masking import policy_for
from powerdesk.org.models import PersonalField, User
from powerdesk.org.selectors import user_role
from powerdesk.outages.selectors import outages_for_customer
from powerdesk.sla.models import Clock, ClockKind, ClockState
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
    """The published cases that fit ``order`` best (:func:`cases_fitting` its sub-type, topic and
    description)."""
    return cases_fitting(
        sub_type_id=order.sub_type_id, topic_id=order.topic_id, text=order.description, limit=limit
    )


def cases_fitting(
    *, sub_type_id: int | None, topic_id: int | None, text: str | None, limit: int = 3
) -> list[CaseVersion]:
    """The published cases of ``sub_type_id`` first, then of ``topic_id``, then the rest by how close
    their text is to ``text``; within a tier, by text similarity too. A tier is read only while the ones
    before it left places free, so the usual order (with a sub-type) ranks just that sub-type's cases.
    The order page asks with an order's; the intake form with what the agent has picked and typed."""
    query = search.query_for(text or "")
    tiers: list[Q] = []
    if sub_type_id:
        tiers.append(Q(sub_type_id=sub_type_id))
    if topic_id:
        tiers.append(Q(area_id=topic_id))
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


# --- scripts (话术) -------------------------------------------------------------------------------------


def scripts_readable(user: User) -> QuerySet[ScriptVersion]:
    """Published script versions for everyone; authors and reviewers read every version."""
    rows = ScriptVersion.objects.select_related("topic", "sub_type")
    if user_may_author(user) or user_may_review(user):
        return rows
    return rows.filter(state=CaseState.PUBLISHED)


def script_get(*, user: User, script_id: int, number: int | None = None) -> ScriptVersion:
    """A version of a script the user may read: ``number``, else the published one, else (for authors
    and reviewers) the latest."""
    rows = scripts_readable(user).filter(script_id=script_id)
    if number is not None:
        found = rows.filter(number=number).first()
    else:
        found = rows.filter(state=CaseState.PUBLISHED).first() or rows.order_by("-number").first()
    if found is None:
        raise NotFound(_("找不到该话术。"))
    return found


def script_versions(version: ScriptVersion) -> list[ScriptVersion]:
    return list(ScriptVersion.objects.filter(script_id=version.script_id).order_by("-number"))


def script_review_queue() -> QuerySet[ScriptVersion]:
    return ScriptVersion.objects.filter(state=CaseState.REVIEW).select_related("topic", "author")


_KIND_ORDER = {code: i for i, code in enumerate(ScriptKind.values)}


def scripts_for(
    *, business_type: str = "", topic_id: int | None = None, sub_type_id: int | None = None, limit: int = 12
) -> list[ScriptVersion]:
    """The published scripts that apply to a call of this type, topic and sub-type (a script's blank
    field applies to any), in the order of a call (opening … closing, then what never to say); within a
    situation, the most specific first (its sub-type, then its topic), then by position."""
    rows = ScriptVersion.objects.filter(state=CaseState.PUBLISHED).select_related("topic", "sub_type")
    rows = rows.filter(Q(business_type="") | Q(business_type=business_type or ""))
    rows = rows.filter(Q(topic__isnull=True) | Q(topic_id=topic_id))
    rows = rows.filter(Q(sub_type__isnull=True) | Q(sub_type_id=sub_type_id))
    found = list(rows)
    found.sort(
        key=lambda v: (
            _KIND_ORDER.get(v.kind, 99),
            v.sub_type_id is None,
            v.topic_id is None,
            v.business_type == "",
            v.position,
            v.pk,
        )
    )
    # One script per situation and specificity would hide useful alternatives; a cap keeps the panel short.
    return found[:limit]


def scripts_for_order(order: WorkOrder, *, limit: int = 12) -> list[ScriptVersion]:
    return scripts_for(
        business_type=order.business_type, topic_id=order.topic_id, sub_type_id=order.sub_type_id, limit=limit
    )


def _local(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).strftime("%m-%d %H:%M")


def arrival_due(order: WorkOrder | None) -> dt.datetime | None:
    """The due time of the order's arrival clock (到达现场) that is still to be met, as the sla app
    planned it; ``None`` when the order has none (not a repair, or already on site)."""
    if order is None:
        return None
    clock_ = (
        Clock.objects.filter(company_id=order.company_id, order_id=order.pk, kind=ClockKind.ARRIVAL)
        .exclude(state=ClockState.CANCELLED)
        .order_by("-due_at")
        .only("due_at")
        .first()
    )
    return clock_.due_at if clock_ is not None else None


def outage_etr(customer: Customer | None) -> dt.datetime | None:
    """The estimated restoration time of the active outage the customer is out in (none when their
    supply is not in an active outage, or the outage has no estimate yet)."""
    if customer is None:
        return None
    for outage in outages_for_customer(customer):
        if outage.etr is not None:
            return outage.etr
    return None


def script_context(
    *, user: User, order: WorkOrder | None = None, customer: Customer | None = None
) -> dict[str, str | None]:
    """The values of the placeholders for ``user`` reading a script about ``order`` (or, on the intake
    form, about ``customer`` before the order exists). The customer's name goes through the masking
    policy of the reader; a value not known is ``None`` (shown as 【未知：…】)."""
    if order is not None and customer is None and order.customer_id:
        customer = order.customer
    policy = policy_for(user)
    name = customer.name if customer is not None else (order.caller_name if order is not None else "")
    area = customer.area if customer is not None else None
    return {
        "customer_name": policy.text(PersonalField.NAME, name) or None,
        "area_manager": (area.manager_name if area is not None else "") or None,
        "area_manager_phone": (area.manager_phone if area is not None else "") or None,
        "arrival_due": _local(arrival_due(order)),
        "outage_etr": _local(outage_etr(customer)),
        "order_number": order.number if order is not None else None,
        "agent_name": getattr(user, "display_name", "") or None,
    }


@dataclass(frozen=True)
class FilledScript:
    version: ScriptVersion
    parts: list[rules.Part]

    @property
    def text(self) -> str:
        return rules.filled_text(self.parts)

    @property
    def missing(self) -> list[str]:
        return [p.code for p in self.parts if p.missing]


def filled(versions: Iterable[ScriptVersion], context: Mapping[str, str | None]) -> list[FilledScript]:
    return [FilledScript(v, rules.fill(v.body, context)) for v in versions]
