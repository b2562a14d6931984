"""A customer's reports through the agents' intake and their cancellation, made in the portal under
the portal's actor of the accepting unit."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from powerdesk.core.errors import ValidationFailed
from powerdesk.customers.models import Customer
from powerdesk.org.models import Role, RoleScope, Unit, UnitKind, User
from powerdesk.portal import selectors
from powerdesk.portal.models import PortalAccount, ReportKind
from powerdesk.workorders.choices import Channel
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services import IntakeResult, workorder_cancel_by_customer, workorder_intake

PORTAL_ROLE = "portal"
PORTAL_NAME = "网上营业厅"


def _intake_unit(customer: Customer) -> Unit:
    """Where a portal order is accepted: the county company above the customer's 台区 (the unit whose
    dispatchers take the hotline's orders), else the nearest unit above the 台区."""
    chain = customer.area.ancestors()
    county = next((u for u in chain if u.kind == UnitKind.COUNTY), None)
    return county or next((u for u in chain if u.kind != UnitKind.AREA), customer.area)


def portal_actor(customer: Customer) -> User:
    """The account the timeline names for what customers do in the portal, one per accepting unit. It
    cannot sign in (inactive, no usable password); its role (``portal``, seeded by portal 0002) takes
    contacts and may only fire the customer's own cancellation."""
    unit = _intake_unit(customer)
    # Named by the unit's code, not its id: the same unit gets the same account whichever order the
    # units were written in (a demo loaded by two workers names the same actors as one loaded by one).
    username = f"portal-{unit.code}"
    user = User.objects.select_related("role", "unit").filter(username=username).first()
    if user is not None:
        return user
    role, _created = Role.objects.get_or_create(
        code=PORTAL_ROLE,
        defaults={
            "name": "网上营业厅",
            "scope": RoleScope.SUBTREE,
            "can_create_orders": True,
            "transitions": ["cancel_by_customer", "note"],
        },
    )
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "full_name": PORTAL_NAME,
            "role": role,
            "unit": unit,
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


def report_submit(
    *,
    account: PortalAccount,
    customer: Customer,
    kind: ReportKind,
    description: str,
    staff_name: str = "",
    submission: str,
) -> IntakeResult:
    """A customer's report through the intake the agents use (channel 网上营业厅): the 台区 and address
    come from the bound account. ``submission`` is the form's one-time id: the same form posted twice
    answers the first result (the intake's idempotency key)."""
    selectors.bound_customer(account=account, account_no=customer.account_no)
    try:
        submission = str(uuid.UUID(submission))
    except (ValueError, TypeError):
        raise ValidationFailed(_("表单已失效，请刷新后重新提交。")) from None
    text = (description or "").strip()
    facts: dict[str, Any] = {"portal_kind": kind.code}
    if kind.asks_staff:
        staff_name = (staff_name or "").strip()
        if not staff_name:
            message = _("请填写您要表扬的员工姓名或工号。")
            raise ValidationFailed(message, fields={"staff_name": [message]})
        facts["praised_staff"] = staff_name
        text = _("表扬：%(staff)s。%(text)s") % {"staff": staff_name, "text": text}
    if not (description or "").strip():
        message = _("请填写诉求内容。")
        raise ValidationFailed(message, fields={"description": [message]})
    return workorder_intake(
        actor=portal_actor(customer),
        business_type=kind.business_type,
        topic=kind.topic,
        sub_type=kind.sub_type,
        channel=Channel.PORTAL,
        description=text,
        customer=customer,
        caller_phone=account.phone,
        facts=facts,
        idempotency_key=f"portal:{account.pk}:{submission}",
    )


def order_cancel(*, account: PortalAccount, number: str, reason: str = "", submission: str = "") -> WorkOrder:
    """The customer withdraws their request (one of a bound account; 404 otherwise) while nobody has
    started on it: the workorders transition ``cancel_by_customer``, on the order's timeline."""
    order = selectors.order_for(account=account, number=number)
    assert order.customer is not None  # order_for reads the bound customers' orders only
    return workorder_cancel_by_customer(
        order=order,
        actor=portal_actor(order.customer),
        reason=reason,
        request_id=f"portal-cancel:{account.pk}:{submission}" if submission else "",
    )
