"""Customer look-ups, always scoped to what the user may see."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from powerdesk.core import phones, sql
from powerdesk.core.pagination import deferred_join
from powerdesk.customers.models import Customer
from powerdesk.org.models import Unit, User
from powerdesk.org.selectors import user_company_id, user_sees_all, user_sees_unit, visible_units_filter

_DIGITS = re.compile(r"^\+?[\d(][\d\-() ]{3,}$")


def customer_visible(user: User) -> QuerySet[Customer]:
    """The customers in the user's unit subtree, or all for roles that see every unit. A subtree lies in
    one company, so its customers are named by their company too (as ``order_visible`` names the
    orders'): on a database sharded by company the read goes to one node."""
    qs = Customer.objects.select_related("area", "area__parent")
    visible = visible_units_filter(user, "area_id")
    return qs.filter(visible, company_id=user_company_id(user) or 0) if visible is not None else qs


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
        digits = re.sub(r"[\s\-+()]", "", q)
        # The phone as stored (core.phones: +86 dropped, a landline with its area code …), or as typed.
        numbers = phones.search_forms(q) | {digits}
        exact = list(base.filter(Q(phones__number__in=numbers) | Q(account_no=digits)).distinct()[:limit])
        if exact:
            return exact
        if len(digits) >= 4:
            return list(base.filter(account_no__startswith=digits)[:limit])
        return []
    # The keys planned for this fragment (see core.sql.unprepared), then the rows by key.
    text = text_contains("address", q) | text_contains("name", q)
    return deferred_join(base.filter(text).order_by("account_no"), slice(0, limit))


def text_contains(field: str, needle: str) -> Q:
    """``field`` contains ``needle`` ignoring case, as the trigram index on ``field`` can serve it.

    With no letter that has a case (Chinese, digits) a plain LIKE, which the index serves; Django's
    icontains compares UPPER(column), an expression the index does not cover, and on a million customers
    that is a scan of the table for every look-up."""
    lookup = "contains" if needle.upper() == needle.lower() else "icontains"
    return Q(**{f"{field}__{lookup}": needle})


def customer_get(*, user: User, account_no: str) -> Customer | None:
    """One customer by the unique account number, if the user may see it (checked on the one row found;
    a user who sees only a subtree looks in its company)."""
    qs = Customer.objects.select_related("area", "area__parent").prefetch_related("phones")
    if not user_sees_all(user):
        qs = qs.filter(company_id=user_company_id(user) or 0)
    customer = qs.filter(account_no=account_no).first()
    if customer is None:
        return None
    return customer if user_sees_unit(user, customer.area) else None


_CUSTOMER_NAMES, _CUSTOMER_COLUMNS = sql.column_list(Customer, "c")
_AREA_NAMES, _AREA_COLUMNS = sql.column_list(Unit, "a")
# The column lists come from the models, not from input.
_BY_ACCOUNT_SQL = f"""
SELECT {_CUSTOMER_COLUMNS}, {_AREA_COLUMNS}
FROM customers_customer c JOIN org_unit a ON a.id = c.area_id
WHERE c.company_id = %s AND c.account_no = %s
"""  # noqa: S608


def customer_for_intake(*, user: User, account_no: str) -> Customer | None:
    """:func:`customer_get` for the intake's hot path: one prepared statement, the customer with its
    台区 (for the region class of the time limits), no phones. Looked up in the company of the user
    taking the call, the one the intake stamps on the order (a user without a unit finds no one, and
    may not take a call)."""
    company_id = user_company_id(user)
    if company_id is None:
        return None
    with sql.cursor() as cur:
        cur.execute(_BY_ACCOUNT_SQL, [company_id, account_no], prepare=True)
        row = cur.fetchone()
    if row is None:
        return None
    n = len(_CUSTOMER_NAMES)
    customer = sql.instance(Customer, _CUSTOMER_NAMES, row[:n])
    customer.area = sql.instance(Unit, _AREA_NAMES, row[n:])
    return customer if user_sees_unit(user, customer.area) else None
