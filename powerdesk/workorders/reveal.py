"""How the 显示 control reads an order's or a contact's field in full (``org.masking.revealers``): only
through the order's visibility (``order_visible``): a contact is visible only if its order is."""

from __future__ import annotations

from powerdesk.org.masking import Revealed, revealers
from powerdesk.org.models import User
from powerdesk.workorders.models import Contact
from powerdesk.workorders.selectors import order_visible


def read_order(user: User, ref: str, field: str) -> Revealed | None:
    order = order_visible(user).select_related("customer").filter(number=ref).first()
    if order is None:
        return None
    values = {
        "contact_phone": order.caller_phone,
        "name": order.caller_name,
        "address": order.address,
        "description": order.description,
    }
    if field not in values:
        return None
    return Revealed(
        value=values[field], subject=order.customer.account_no if order.customer else order.number
    )


def read_contact(user: User, ref: str, field: str) -> Revealed | None:
    if not ref.isdigit():
        return None
    contact = (
        Contact.objects.filter(pk=int(ref), order__in=order_visible(user))
        .select_related("customer", "order")
        .first()
    )
    if contact is None:
        return None
    values = {"contact_phone": contact.phone, "description": contact.summary}
    if field not in values:
        return None
    subject = contact.customer.account_no if contact.customer else contact.order.number
    return Revealed(value=values[field], subject=subject)


def register() -> None:
    revealers.register("workorders", "order", read_order)
    revealers.register("workorders", "contact", read_contact)
