"""Reads of work orders, always scoped to the units the user may see.

The order list's filters (console and API) are ``workorders.filters.OrderFilterSet``, built on
:func:`order_queue`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from powerdesk.core.errors import NotFound
from powerdesk.org.models import User
from powerdesk.org.selectors import user_company_id, user_may, visible_units_filter
from powerdesk.workorders import extensions
from powerdesk.workorders.choices import (
    CLOSED_STATUSES,
    FIELD_TYPES,
    FIRST_ANSWER_TYPES,
    ON_SITE_TYPES,
    Satisfaction,
    Status,
)
from powerdesk.workorders.models import (
    Attachment,
    Contact,
    ContactKey,
    OrderLink,
    WorkOrder,
    WorkOrderEvent,
)
from powerdesk.workorders.transitions import Transition, transitions_from


def order_visible(user: User, queryset: QuerySet[WorkOrder] | None = None) -> QuerySet[WorkOrder]:
    """The orders (of ``queryset``, all by default) in the user's unit subtree, or all for roles that see
    every unit.

    A subtree lies inside one company, so the subtree's orders are named by their company too: each
    index of the lists starts with it, and on a database sharded by company the query goes to one node.
    Roles that see every unit see every company (a query over all of them)."""
    qs = WorkOrder.objects.all() if queryset is None else queryset
    visible = visible_units_filter(user, "unit_id")
    if visible is not None:
        qs = qs.filter(visible, company_id=user_company_id(user) or 0)
    return qs


def order_queue(
    *, user: User, queue: str, queryset: QuerySet[WorkOrder] | None = None
) -> QuerySet[WorkOrder]:
    """The orders of one of the list's queues, within the user's scope: ``mine`` (open orders assigned to
    the user, or taken by them and not yet assigned), ``unit`` (the open orders of the user's own unit),
    ``all`` (every order the user may see). The order list filters further (``workorders.filters``)."""
    qs = WorkOrder.objects.all() if queryset is None else queryset
    if queue == "unit":
        # The user's own unit is always in their scope (no unit: nothing), so the scope filter would
        # only add a join: the unit's open queue is one index range (wo_unit_open_created_id).
        return qs.filter(company_id=user_company_id(user) or 0, unit_id=user.unit_id or 0).exclude(
            status__in=CLOSED_STATUSES
        )
    qs = order_visible(user, qs)
    if queue == "mine":
        qs = qs.filter(assignee=user) | qs.filter(owner=user, assignee__isnull=True)
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    return qs


def order_get(*, user: User, number: str) -> WorkOrder:
    order = (
        order_visible(user)
        .select_related(
            "topic", "unit", "customer", "customer__area", "area", "owner", "assignee", "parent", "sub_type"
        )
        .filter(number=number)
        .first()
    )
    if order is None:
        raise NotFound(_("找不到该工单。"))
    return order


# How long before its acceptance an order's events may be dated: none is (the 受理 event is the first),
# the margin only keeps a clock skew between processes from hiding one.
TIMELINE_MARGIN = timedelta(days=1)


def order_rows_since(order: WorkOrder) -> datetime:
    """The lower time bound of the rows written about ``order`` in the tables partitioned by month (its
    timeline, contacts and messages): none is older than its acceptance, less the margin."""
    return order.created_at - TIMELINE_MARGIN


def order_timeline(order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    """The order's timeline, oldest first. The timeline is partitioned by month: bounded below by the
    order's acceptance, the read skips the months before it instead of probing each one's index."""
    return (
        order.events.filter(company_id=order.company_id, at__gte=order_rows_since(order))
        .select_related("actor")
        .order_by("at", "id")
    )


def order_contacts(order: WorkOrder) -> QuerySet[Contact]:
    """The order's contacts, newest first. The contacts are partitioned by month and none is older than
    its order (the first opened it, the others were linked to it later): bounded by the acceptance, the
    read skips the months before it."""
    return Contact.objects.filter(
        company_id=order.company_id, order_id=order.pk, at__gte=order_rows_since(order)
    ).order_by("-at", "-id")


def contact_by_idempotency_key(key: str, *, company_id: int | None = None) -> Contact | None:
    """The contact taken under the Idempotency-Key ``key``, with its order: found in the unpartitioned
    key table, then read in its one month of the partitioned contacts (in ``company_id`` when given: a
    key of another company's contact is not found)."""
    found = ContactKey.objects.filter(idempotency_key=key).values_list("contact_id", "at").first()
    if found is None:
        return None
    pk, at = found
    return (
        Contact.objects.select_related("order", "order__topic", "order__unit", "order__customer")
        .select_related("order__assignee", "order__sub_type")
        .filter(pk=pk, at=at, **({} if company_id is None else {"company_id": company_id}))
        .first()
    )


@dataclass(frozen=True)
class OrderLinkView:
    """One link of an order as its page and API show it: ``direction`` "earlier" (this order names an
    earlier one: it is its 复发 / follow-up) or "later" (a later order names this one)."""

    direction: str
    kind: str
    kind_label: str
    number: str
    status: str
    at: datetime
    reason: str


def order_links(order: WorkOrder) -> list[OrderLinkView]:
    """The links of ``order`` both ways (复发, 跟进, 关联), oldest first."""
    views = []
    # Both ends lie in the order's company (the intake links within the company it searched).
    links = (
        OrderLink.objects.filter(Q(order=order) | Q(earlier=order))
        .filter(order__company_id=order.company_id, earlier__company_id=order.company_id)
        .select_related("order", "earlier")
    )
    for link in links:
        earlier = link.order_id == order.pk
        other = link.earlier if earlier else link.order
        views.append(
            OrderLinkView(
                direction="earlier" if earlier else "later",
                kind=link.kind,
                kind_label=link.get_kind_display(),
                number=other.number,
                status=other.status,
                at=link.at,
                reason=link.reason,
            )
        )
    return sorted(views, key=lambda v: v.at)


def transition_refusal(order: WorkOrder, code: str) -> str | None:
    """Why ``code`` cannot run on ``order`` although its status is a source of the transition (a rule
    of the business type or of the callback), or ``None`` when nothing beyond the table stands in the way.

    The services raise this reason; the console and API hide the transition while it applies."""
    if code == "arrive" and order.business_type not in ON_SITE_TYPES:
        return _("只有需要现场处理的工单（故障报修、服务申请、业务办理）才记录到达现场。")
    if code == "resolve" and order.business_type in FIELD_TYPES and order.status != Status.ON_SITE:
        return _("故障报修工单须先记录到达现场，才能处理完成。")
    if code == "cancel_by_customer" and (order.taken_at is not None or order.arrived_at is not None):
        return _("工作人员已开始处理，不能撤销。")
    if code == "answer" and order.business_type not in FIRST_ANSWER_TYPES:
        return _("只有咨询、表扬类工单可以一次答复办结。")
    if code == "archive":
        if order.status == Status.REPLIED:
            # Straight from 已答复 only when no callback is needed (a rule of an app, else always needed).
            if callback_required(order):
                return _("须先回访客户，才能归档。")
            return None
        if order.satisfaction == Satisfaction.DISSATISFIED:
            if any(handled(order) for handled in extensions.dissatisfied_handled):
                return None
            return _("客户回访不满意，不能归档：请重开工单继续处理。")
        # 无法联系 reaches 已回访 only when an app's callback rule says the customer was tried enough
        # (the feedback app: attempts at different times of day); it may then be archived as such.
        if order.satisfaction not in (Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNREACHABLE):
            return _("尚未成功回访客户，不能归档。")
    for refusal in extensions.transition_refusals:
        reason = refusal(order, code)
        if reason is not None:
            return reason
    return None


def callback_required(order: WorkOrder) -> bool:
    """Whether ``order`` must be called back before it is archived: every order, unless the apps'
    rules (``extensions.callback_needed``) all say this one need not be."""
    answers = [needed(order) for needed in extensions.callback_needed]
    return not answers or any(answers)


def order_transitions_for(*, user: User, order: WorkOrder) -> list[Transition]:
    """Transitions the user may fire on the order now (state machine ∩ role ∩ the rules of its type)."""
    return [
        t
        for t in transitions_from(order.status)
        if user_may(user, t.code) and transition_refusal(order, t.code) is None
    ]


def open_statuses() -> list[str]:
    return [s for s in Status.values if s not in CLOSED_STATUSES]


def attachments_held() -> Q | None:
    """The attachments under a hold of some extension (``extensions.attachment_holds``: a sensitive
    customer's evidence …), or None when nothing holds any."""
    held: Q | None = None
    for hold in extensions.attachment_holds:
        condition = hold()
        held = condition if held is None else held | condition
    return held


def attachments_retainable(queryset: QuerySet[Attachment] | None = None) -> QuerySet[Attachment]:
    """The attachments (of ``queryset``, all by default) a retention job may delete once they are old
    enough: every one not under a hold. A retention job must select through this, never around it."""
    qs = Attachment.objects.all() if queryset is None else queryset
    held = attachments_held()
    return qs.exclude(held) if held is not None else qs
