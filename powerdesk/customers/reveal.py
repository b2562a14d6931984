"""How the 显示 control reads a customer's field in full (``org.masking.revealers``, target ``customer``,
ref: the customer's id): only a customer the user may see (``customer_visible``)."""

from __future__ import annotations

from powerdesk.customers.selectors import customer_visible
from powerdesk.org.masking import Revealed, revealers
from powerdesk.org.models import User


def read_customer(user: User, ref: str, field: str) -> Revealed | None:
    if not ref.isdigit():
        return None
    customer = customer_visible(user).prefetch_related("phones").filter(pk=int(ref)).first()
    if customer is None:
        return None
    values = {
        "name": customer.name,
        "phone": "、".join(p.number for p in customer.phones.all()),
        "address": customer.address,
        "id_number": customer.id_number,
        "account_no": customer.account_no,
    }
    if field not in values:
        return None
    return Revealed(value=values[field], subject=customer.account_no)


def register() -> None:
    revealers.register("customers", "customer", read_customer)
