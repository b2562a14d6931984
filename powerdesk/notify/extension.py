"""How the notify app plugs into the order and the customer page; registered once, from
``NotifyConfig.ready()``.

- opening an order tells the customer it was accepted (``order_opened``); a transition that amounts to
  a customer step (dispatch of field work, reply, closure) tells them that (``transition_applied``),
  in the same transaction (:mod:`powerdesk.notify.customer_messages`);
- the order page's side column lists the messages to the customer: sent, deferred (quiet hours),
  suppressed and why; the API's order detail carries them (``customer_messages``);
- the customer page shows the customer's opt-outs with a link to change them; the API's customer detail
  carries them (``opt_outs``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework import serializers

from powerdesk.core import clock
from powerdesk.core.extensions import DetailField, Panel
from powerdesk.customers.extensions import customer_detail_fields, customer_panels
from powerdesk.customers.models import Customer
from powerdesk.notify import rules
from powerdesk.notify.customer_messages import customer_message_enqueue
from powerdesk.notify.models import Notification
from powerdesk.notify.opt_outs import customer_opt_outs
from powerdesk.org.masking import PersonalDataField
from powerdesk.org.selectors import user_can_create_orders
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import order_rows_since

OWNER = "notify"


# --- telling the customer --------------------------------------------------------------------------


def tell_accepted(ctx: ext.OpenContext) -> None:
    customer_message_enqueue(order=ctx.order, step="accepted")


def tell_step(ctx: ext.TransitionContext) -> None:
    step = rules.customer_step(
        code=ctx.code, business_type=ctx.order.business_type, to_status=ctx.order.status
    )
    if step is not None:
        customer_message_enqueue(order=ctx.order, step=step)


# --- the order page and the API -------------------------------------------------------------------


def order_customer_messages(order: WorkOrder) -> list[Notification]:
    """The messages to the order's customer (not those to staff), oldest first. None is older than the
    order: bounded by its acceptance, the read skips the months of the partitioned table before it."""
    return list(
        Notification.objects.filter(
            order=order, recipient_user__isnull=True, created_at__gte=order_rows_since(order)
        )
        .select_related("template")
        .order_by("created_at", "id")
    )


def _messages_panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    messages = order_customer_messages(order)
    return {"messages": messages, "now": clock.now()} if messages else None


class CustomerMessageSerializer(serializers.ModelSerializer):
    template = serializers.CharField(source="template.code", read_only=True)
    recipient = PersonalDataField(field="contact_phone", source="recipient_address")
    # Empty for a message that was not held back: not the model's enum, which has no blank choice.
    suppressed_reason = serializers.CharField(
        read_only=True, help_text="Why it was not sent: opted_out, no_number; empty when sent or to be sent."
    )
    delivery_state = serializers.CharField(
        read_only=True, help_text="The gateway's receipt: sent, delivered, failed; empty before any."
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "template",
            "channel",
            "recipient",
            "state",
            "suppressed_reason",
            "send_after",
            "created_at",
            "sent_at",
            "delivery_state",
            "delivery_at",
        ]
        read_only_fields = fields


def _messages_field() -> serializers.Field:
    return CustomerMessageSerializer(
        many=True,
        read_only=True,
        help_text="Messages to the customer about the order: sent, deferred to the end of the quiet hours "
        "(send_after) or suppressed (suppressed_reason: opted_out, no_number).",
    )


# --- the customer page and the API ----------------------------------------------------------------


def _opt_outs_panel(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {
        "customer": customer,
        "opt_outs": customer_opt_outs(customer),
        "may_edit": user_can_create_orders(request.user),  # type: ignore[arg-type]
    }


def _opt_outs_field() -> serializers.Field:
    return serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Channels the customer opted out of (sms, email, wechat); exempt messages still go.",
    )


# --- registration ----------------------------------------------------------------------------------


def register() -> None:
    ext.order_opened.register(OWNER, "notify.tell_accepted", tell_accepted, position=200)
    # After the other hooks (the clocks set the due time the message may name).
    ext.transition_applied.register(OWNER, "notify.tell_step", tell_step, position=200)
    ext.order_panels.register(
        OWNER,
        "notify.customer_messages",
        Panel(slot="aside", template="notify/_order_messages.html", context=_messages_panel),
    )
    ext.detail_fields.register(
        OWNER,
        "customer_messages",
        DetailField(field=_messages_field, load=lambda order, request: order_customer_messages(order)),
    )
    customer_panels.register(
        OWNER,
        "notify.opt_outs",
        Panel(slot="main", template="notify/_customer_opt_outs.html", context=_opt_outs_panel),
        position=200,
    )
    customer_detail_fields.register(
        OWNER,
        "opt_outs",
        DetailField(
            field=_opt_outs_field,
            load=lambda customer, request: [o.channel for o in customer_opt_outs(customer)],
        ),
    )
