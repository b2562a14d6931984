"""An application opened by the ordinary intake: a 业务办理 order is an application whichever door it
came through — the hall clerk's application form, the portal, the API's applications endpoint, or the
console's and the API's ordinary intake (workorders never imports this app: the hook below is registered
on ``workorders.extensions.order_accepted``, after the 受理 event, so the order's first event stays 受理).

The kind is the one :func:`application_start` asked for, else the order's sub-type's
(:func:`powerdesk.applications.rules.kind_for_customer`: a sub-type shared by several kinds, 低压新装, by
the customer's type); an order of a sub-type no active kind covers stays a plain order.
"""

from __future__ import annotations

from powerdesk.applications import rules
from powerdesk.applications.models import ApplicationKind, NoticeChannel
from powerdesk.applications.services.steps import KIND_HINT, NOTICE_HINT, application_open
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.choices import BusinessType


def kind_for_order(*, sub_type_id: int, customer_type: str | None, asked: str = "") -> ApplicationKind | None:
    kinds = list(
        ApplicationKind.objects.filter(sub_type_id=sub_type_id, is_active=True)
        .select_related("sub_type", "topic")
        .order_by("sort_order", "code")
    )
    chosen = next((k for k in kinds if asked and k.code == asked), None)
    return chosen or rules.kind_for_customer(kinds, customer_type)


def application_open_at_intake(context: ext.ContactContext) -> None:
    """``order_accepted``: a contact that opens a 业务办理 order of an application kind opens its
    application (steps, clocks, 一次性告知 record, ``app_started``) in the intake's transaction."""
    order = context.order
    if not context.opened or order.business_type != BusinessType.APPLICATION or order.sub_type_id is None:
        return
    contact = context.contact
    hints = getattr(contact, "hints", None) or {}
    customer = order.customer
    kind = kind_for_order(
        sub_type_id=order.sub_type_id,
        customer_type=customer.customer_type if customer is not None else None,
        asked=hints.get(KIND_HINT, ""),
    )
    if kind is None:
        return
    notice_channel = rules.intake_notice_channel(
        hints.get(NOTICE_HINT, ""), order.channel, NoticeChannel.values
    )
    application_open(
        order=order, kind=kind, actor=contact.actor, at=contact.now, notice_channel=notice_channel
    )
