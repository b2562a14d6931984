"""Reads of the feedback app: the reference rows (cached per process through ``core.refcache``) and
permission-scoped lists of follow-up tasks, survey results and opinion-box entries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from powerdesk.core import clock, refcache
from powerdesk.org.models import ServiceHall, User
from powerdesk.org.selectors import visible_units_filter
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent

from .models import (
    CallbackRule,
    CallbackScript,
    FeedbackPolicy,
    FollowUpTask,
    OpinionEntry,
    SurveyCampaign,
    SurveyResponse,
    TimeBand,
)

DEFAULT_POLICY = FeedbackPolicy(name="default")


def _load_policy() -> FeedbackPolicy:
    return FeedbackPolicy.objects.filter(is_active=True).order_by("-id").first() or DEFAULT_POLICY


def _load_rules() -> dict[str, CallbackRule]:
    return {r.business_type: r for r in CallbackRule.objects.filter(is_active=True).select_related("survey")}


def _load_bands() -> list[TimeBand]:
    return list(TimeBand.objects.all())


def _load_scripts() -> list[CallbackScript]:
    return list(CallbackScript.objects.filter(is_active=True).order_by("business_type", "id"))


def policy() -> FeedbackPolicy:
    return refcache.get("feedback.policy", _load_policy)


def callback_rules() -> dict[str, CallbackRule]:
    return refcache.get("feedback.rules", _load_rules)


def time_bands() -> list[TimeBand]:
    return refcache.get("feedback.bands", _load_bands)


def callback_scripts() -> list[CallbackScript]:
    return refcache.get("feedback.scripts", _load_scripts)


def callback_rule(business_type: str) -> CallbackRule | None:
    return callback_rules().get(business_type)


def unreached_attempt_times(order: WorkOrder, since: dt.datetime | None) -> list[dt.datetime]:
    """When the customer was called back without being reached since the reply: unreached callbacks,
    and call-outs (联系客户) that did not reach the customer while the order waited for its callback."""
    # the order's company beside it: the key of the timeline on a database sharded by company
    events = WorkOrderEvent.objects.filter(company_id=order.company_id, order=order).filter(
        Q(kind="callback", data__callback_attempt__reached=False)
        | Q(kind="callback", data__after__satisfaction="unreachable")
        | Q(kind="call_out", data__reached=False, from_status="replied")
    )
    if since is not None:
        events = events.filter(at__gte=since)
    return list(events.order_by("at").values_list("at", flat=True).distinct())


def follow_ups(*, user: User, scope: str = "mine", state: str = "open") -> QuerySet[FollowUpTask]:
    """Follow-up tasks: ``mine`` (the user's), ``unit`` (the user's unit's); only of units they see."""
    qs = FollowUpTask.objects.select_related("order", "unit", "owner")
    visible = visible_units_filter(user, "unit_id")
    if visible is not None:
        qs = qs.filter(visible)
    if scope == "mine":
        qs = qs.filter(owner=user)
    elif scope == "unit":
        qs = qs.filter(unit_id=user.unit_id or 0)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("due_at", "id")


def follow_up_get(*, user: User, pk: int) -> FollowUpTask | None:
    return follow_ups(user=user, scope="all", state="").filter(pk=pk).first()


def survey_results(*, user: User) -> QuerySet[SurveyResponse]:
    """Survey results of orders the user may see (and, for roles that see every unit, campaigns')."""
    qs = SurveyResponse.objects.select_related("order", "campaign")
    visible = visible_units_filter(user, "order__unit_id")
    if visible is not None:
        qs = qs.filter(visible)
    return qs


def halls_visible(user: User) -> QuerySet[ServiceHall]:
    qs = ServiceHall.objects.select_related("unit")
    visible = visible_units_filter(user, "unit_id")
    return qs.filter(visible) if visible is not None else qs


def opinions_visible(user: User) -> QuerySet[OpinionEntry]:
    qs = OpinionEntry.objects.select_related("hall", "hall__unit")
    visible = visible_units_filter(user, "hall__unit_id")
    return qs.filter(visible) if visible is not None else qs


def campaigns_visible(user: User) -> QuerySet[SurveyCampaign]:
    qs = SurveyCampaign.objects.select_related("unit", "questions")
    visible = visible_units_filter(user, "unit_id")
    return qs.filter(visible) if visible is not None else qs


def today() -> dt.date:
    return clock.local_date()
