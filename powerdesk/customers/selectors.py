"""Customer look-ups, always scoped to what the user may see."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from powerdesk.customers.models import Customer
from powerdesk.org.models import User
from powerdesk.org.selectors import user_visible_unit_ids

_DIGITS = re.compile(r"^\+?\d[\d\- ]{3,}$")


def customer_visible(user: User) -> QuerySet[Customer]:
    qs = Customer.objects.select_related("area", "area__parent")
    unit_ids = user_visible_unit_ids(user)
    if unit_ids is not None:
        qs = qs.filter(area_id__in=unit_ids)
    return qs


def customer_search(*, user: User, q: str, limit: int = 50) -> list[Customer]:
    """Find customers by phone, account number (exact or prefix), name or address fragment.

    Digits are tried as phone and account number first (both indexed exactly); text goes to
    the trigram indexes on address and name.
    """
    q = (q or "").strip()
    if not q:
        return []
    base = customer_visible(user).prefetch_related("phones")
    if _DIGITS.match(q):
        digits = re.sub(r"[\s\-+]", "", q)
        exact = list(base.filter(Q(phones__number=digits) | Q(account_no=digits)).distinct()[:limit])
        if exact:
            return exact
        if len(digits) >= 4:
            return list(base.filter(account_no__startswith=digits)[:limit])
        return []
    return list(base.filter(Q(address__icontains=q) | Q(name__icontains=q)).order_by("account_no")[:limit])


def customer_get(*, user: User, account_no: str) -> Customer | None:
    return customer_visible(user).prefetch_related("phones").filter(account_no=account_no).first()
