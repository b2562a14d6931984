"""The portal's part of the demo: the demo customer (the first with a mobile number and a 台区经理) with
a portal account, their account bound, and applications in different steps, so the portal's pages show
something real on first sign-in:

- a 低压居民新装 applied for online three days ago, at the 供电所, where the handler asked for the
  property certificate (on the 一次性告知 list): waiting for a document the customer must hand in;
- a 居民充电桩报装 applied for last week, surveyed: now the customer's own step (installing the charger);
- a 销户 the customer registered for the hall's check of their papers: waiting for the hall clerk
  (it shows on the clerk's 营业厅核验 page).

Everything goes through the services the pages call; run twice, it adds nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from powerdesk.applications.models import Application, ApplicationStep, DocumentType, StepState
from powerdesk.applications.services import (
    application_document_request,
    application_step_complete,
    step_actors,
    step_refusal,
)
from powerdesk.core import clock
from powerdesk.customers.models import Customer
from powerdesk.org.models import Unit, UnitKind, User
from powerdesk.org.selectors import user_may, user_sees_unit
from powerdesk.portal import selectors, services
from powerdesk.portal.models import AccountBinding, PortalAccount, PortalApplication, ProofState
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services import workorder_dispatch

# Fixed submission ids: the same demo data set gets the same applications, and a second run finds them.
SUBMISSIONS = {
    "lv_resident": uuid.UUID("5e0d2c3a-95a0-4d6b-9a52-6e1f0c000001"),
    "ev_charger": uuid.UUID("5e0d2c3a-95a0-4d6b-9a52-6e1f0c000002"),
}
CLOSE_PROOF = "app_close"


@dataclass
class PortalDemo:
    customer: Customer
    account: PortalAccount
    applications: list[Application]
    hall_proof_waiting: bool


def demo_customer() -> Customer | None:
    """The customer the demo's instructions name: a mobile number to sign in with, a 台区经理 to show."""
    return (
        Customer.objects.filter(phones__number__regex=r"^1\d{10}$")
        .exclude(area__manager_name="")
        .select_related("area")
        .order_by("account_no")
        .first()
    )


def _station(customer: Customer) -> Unit | None:
    unit: Unit | None = customer.area
    while unit is not None and unit.kind != UnitKind.STATION:
        unit = unit.parent
    return unit


def _dispatcher(unit: Unit) -> User | None:
    users = User.objects.filter(role__code="dispatcher", is_active=True).select_related("role", "unit")
    return next(
        (u for u in users.order_by("id") if user_sees_unit(u, unit) and user_may(u, "dispatch")), None
    )


def _doer(step: ApplicationStep) -> User | None:
    """The first user the step's template names (its role at the unit of its level on the order's path)."""
    # read again: the application's cached order may predate its dispatch to the station
    order = WorkOrder.objects.select_related("unit").get(pk=step.application.order_id)
    users = User.objects.filter(
        is_active=True, unit__in=step_actors(order, step.template).units
    ).select_related("role", "unit")
    return next((u for u in users.order_by("id") if step_refusal(u, order, step.template) is None), None)


def _apply(
    account: PortalAccount, customer: Customer, code: str, description: str, at: dt.datetime
) -> Application:
    with clock.at(at):
        application, _created = services.application_submit(
            account=account,
            customer=customer,
            start_kind=selectors.application_kind(code),
            description=description,
            files={},
            submission=str(SUBMISSIONS[code]),
        )
        station = _station(customer)
        dispatcher = _dispatcher(station) if station is not None else None
        if station is not None and dispatcher is not None:
            workorder_dispatch(order=application.order, actor=dispatcher, unit=station)
    return application


def _running(application: Application, code: str) -> ApplicationStep | None:
    return (
        application.steps.select_related("application__order__unit", "template__role")
        .filter(template__code=code, state=StepState.ACTIVE)
        .first()
    )


def portal_demo_build(now: dt.datetime | None = None) -> PortalDemo | None:
    """Build (once) the demo customer's portal account, binding, applications and hall proof, as of
    ``now`` (the demo data set's now; the clock's by default). None without a demo customer."""
    now = now or clock.now()
    customer = demo_customer()
    if customer is None:
        return None
    account, _new = PortalAccount.objects.get_or_create(
        phone=customer.primary_phone, defaults={"created_at": now - dt.timedelta(days=10)}
    )
    AccountBinding.objects.get_or_create(
        account=account,
        customer=customer,
        defaults={"method": AccountBinding.Method.NAME, "bound_at": now - dt.timedelta(days=10)},
    )
    done = {p.submission for p in PortalApplication.objects.filter(account=account)}
    if SUBMISSIONS["lv_resident"] not in done:
        connection = _apply(
            account, customer, "lv_resident", "新房装修完毕，申请家庭用电", now - dt.timedelta(days=3)
        )
        survey = _running(connection, "survey")
        handler = _doer(survey) if survey is not None else None
        if handler is not None:
            with clock.at(now - dt.timedelta(days=2, hours=20)):
                application_document_request(
                    application=connection,
                    actor=handler,
                    document=DocumentType.objects.get(code="property_proof"),
                )
    if SUBMISSIONS["ev_charger"] not in done:
        charger = _apply(
            account, customer, "ev_charger", "小区地下车位安装7千瓦充电桩", now - dt.timedelta(days=8)
        )
        survey = _running(charger, "survey")
        handler = _doer(survey) if survey is not None else None
        if survey is not None and handler is not None:
            with clock.at(now - dt.timedelta(days=6, hours=22)):
                application_step_complete(
                    step=survey,
                    actor=handler,
                    result="车位具备安装条件，请按告知的要求安装充电桩",
                    # the customer showed the parking and consent papers at the survey
                    document_reason="客户已在现场勘查时出示原件",
                )
    waiting = selectors.pending_proof(account=account, customer=customer, kind=CLOSE_PROOF)
    if (
        waiting is None
        and not account.proofs.filter(rule__kind=CLOSE_PROOF).exclude(state=ProofState.PENDING).exists()
    ):
        with clock.at(now - dt.timedelta(hours=20)):
            waiting = services.proof_start(account=account, customer=customer, kind=CLOSE_PROOF, address=None)
    applications = [p.application for p in PortalApplication.objects.filter(account=account)]
    return PortalDemo(customer, account, applications, waiting is not None)
