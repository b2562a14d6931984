"""Reads of the portal, every one scoped to the signed-in customer's bound accounts: another customer's
account or order is "not found" (404), never "forbidden" — a number that exists must not look different
from one that does not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from powerdesk.applications import selectors as app_selectors
from powerdesk.applications.models import (
    Application,
    ApplicationState,
    ApplicationStep,
    ReturnReason,
    StepSide,
    StepState,
)
from powerdesk.applications.selectors import application_of
from powerdesk.applications.services.record import STEP_RETURNED
from powerdesk.core import clock, refcache
from powerdesk.core.errors import NotFound
from powerdesk.core.seeded_names import seeded_name
from powerdesk.customers.models import Customer
from powerdesk.customers.supply import devices_above
from powerdesk.feedback.models import SurveyInvitation
from powerdesk.feedback.services import survey_url
from powerdesk.org.models import User
from powerdesk.org.selectors import user_company_id, user_sees_unit, visible_units_filter
from powerdesk.outages.models import Outage, OutageKind
from powerdesk.outages.selectors import active_outages, outages_for_customer
from powerdesk.portal import rules
from powerdesk.portal.extensions import order_sections
from powerdesk.portal.models import (
    AccountBinding,
    HallProofRole,
    OwnershipProof,
    PortalAccount,
    PortalApplicationKind,
    PortalConsent,
    PortalSession,
    PortalSettings,
    ProofMethod,
    ProofRule,
    ProofState,
    ReportKind,
)
from powerdesk.sla.selectors import next_clock, order_clocks
from powerdesk.workorders.choices import EventKind
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from powerdesk.workorders.selectors import transition_refusal
from powerdesk.workorders.transitions import TRANSITIONS


def portal_settings() -> PortalSettings:
    def load() -> PortalSettings:
        row = PortalSettings.objects.filter(is_active=True).order_by("-pk").first()
        if row is None:
            raise LookupError("no active PortalSettings row: portal migration 0002 seeds one")
        return row

    return refcache.get("portal.settings", load)


def report_kinds() -> list[ReportKind]:
    return refcache.get(
        "portal.report_kinds",
        lambda: list(ReportKind.objects.filter(is_active=True).select_related("topic", "sub_type")),
    )


def report_kind(code: str) -> ReportKind | None:
    return next((k for k in report_kinds() if k.code == code), None)


def proof_rule(kind: str) -> ProofRule | None:
    rows = refcache.get(
        "portal.proof_rules", lambda: {r.kind: r for r in ProofRule.objects.filter(is_active=True)}
    )
    return rows.get(kind)


def session_account(cookie: str | None, *, salt: str) -> PortalAccount | None:
    """The portal account of a session cookie still in force, or None."""
    if not cookie:
        return None
    try:
        key = signing.loads(cookie, salt=salt)
    except signing.BadSignature:
        return None
    session = (
        PortalSession.objects.select_related("account")
        .filter(digest=rules.key_digest(str(key)), ended_at__isnull=True, expires_at__gt=clock.now())
        .first()
    )
    if session is None or not session.account.is_active:
        return None
    return session.account


def has_consented(account: PortalAccount) -> bool:
    return PortalConsent.objects.filter(account=account, version=portal_settings().privacy_version).exists()


def bound_customers(account: PortalAccount) -> list[Customer]:
    return [
        b.customer
        for b in AccountBinding.objects.filter(account=account).select_related("customer", "customer__area")
    ]


def bound_customer(*, account: PortalAccount, account_no: str) -> Customer:
    binding = (
        AccountBinding.objects.select_related("customer", "customer__area")
        .filter(account=account, customer__account_no=account_no)
        .first()
    )
    if binding is None:
        raise NotFound(_("找不到该户号。"))
    return binding.customer


def orders_of(account: PortalAccount) -> QuerySet[WorkOrder]:
    """The orders of the customers bound to the account, newest first."""
    ids = AccountBinding.objects.filter(account=account).values("customer_id")
    return (
        WorkOrder.objects.filter(customer_id__in=ids)
        .select_related("customer", "topic", "area", "unit")
        .order_by("-created_at", "-id")
    )


def order_for(*, account: PortalAccount, number: str) -> WorkOrder:
    order = orders_of(account).filter(number=number).first()
    if order is None:
        raise NotFound(_("找不到该工单。"))
    return order


@dataclass
class CustomerEvent:
    at: dt.datetime
    label: str
    text: str = ""


@dataclass
class OrderTrack:
    order: WorkOrder
    events: list[CustomerEvent]
    next_step: str
    due_at: dt.datetime | None
    due_label: str
    manager_name: str
    manager_phone: str
    may_cancel: bool
    survey_link: str
    sections: list[dict[str, Any]] = field(default_factory=list)


def _event_line(event: WorkOrderEvent) -> CustomerEvent | None:
    label = rules.CUSTOMER_EVENTS.get(event.kind)
    if label is None:
        return None
    text = ""
    if event.kind in (EventKind.DISPATCH, EventKind.TRANSFER):
        after = (event.data or {}).get("after", {})
        unit_id = after.get("unit")
        unit_name = event.order.unit.name if unit_id == event.order.unit_id else _("处理单位")
        return CustomerEvent(at=event.at, label=str(label) % {"unit": unit_name})
    if event.kind in rules.CUSTOMER_TEXT_EVENTS or event.kind == EventKind.CUSTOMER_CANCEL:
        text = event.note
    elif event.kind == STEP_RETURNED and (event.data or {}).get("reason"):
        # the reason in the words the SMS used; the staff's note (the event's note) is theirs alone
        reason = ReturnReason.objects.filter(code=event.data["reason"]).first()
        text = reason.customer_text if reason is not None else ""
    return CustomerEvent(at=event.at, label=str(label), text=text)


def _survey_link(order: WorkOrder) -> str:
    invitation = SurveyInvitation.objects.filter(
        order=order, campaign__isnull=True, used_at__isnull=True
    ).first()
    if invitation is None or invitation.expired(clock.now()):
        return ""
    return survey_url(invitation)


def order_track(order: WorkOrder) -> OrderTrack:
    """The order in the customer's terms: what happened (the timeline's customer-facing events, no
    notes), what happens next, by when (the next clock of the SLA app), the 台区经理, whether the
    customer may still cancel it, and the survey link once it is closed."""
    events = [
        line
        for line in (
            _event_line(e) for e in order.events.select_related("order", "order__unit").order_by("at", "id")
        )
        if line is not None
    ]
    clock_row = next_clock(order_clocks(order)) if order.is_open else None
    area = order.area or (order.customer.area if order.customer is not None else None)
    may_cancel = order.status in TRANSITIONS["cancel_by_customer"].sources and (
        transition_refusal(order, "cancel_by_customer") is None
    )
    sections = [s for s in (section(order) for section in order_sections) if s]
    return OrderTrack(
        order=order,
        events=events,
        next_step=rules.next_step(order.status),
        due_at=clock_row.due_at if clock_row is not None else None,
        due_label=clock_row.get_kind_display() if clock_row is not None else "",
        manager_name=area.manager_name if area is not None else "",
        manager_phone=area.manager_phone if area is not None else "",
        may_cancel=may_cancel,
        survey_link="" if order.is_open else _survey_link(order),
        sections=sections,
    )


@dataclass
class Notice:
    customer: Customer
    outage: Outage
    current: bool


def _begun(outage: Outage, now: dt.datetime) -> bool:
    start = outage.actual_start or outage.planned_start
    return start is not None and start <= now


def notices_for(customers: list[Customer]) -> list[Notice]:
    """Outages on the customers' supply: those they are out in now, and planned ones not yet over."""
    notices: list[Notice] = []
    now = clock.now()
    for customer in customers:
        current = outages_for_customer(customer)  # their interruption is open: begun, or planned ahead
        notices += [Notice(customer, o, _begun(o, now)) for o in current]
        planned = (
            active_outages()
            .filter(kind=OutageKind.PLANNED, devices__device__in=devices_above(customer).values("pk"))
            .filter(Q(planned_end__isnull=True) | Q(planned_end__gt=now))
            .exclude(pk__in=[o.pk for o in current])
            .distinct()
            .order_by("planned_start")
        )
        notices += [Notice(customer, o, False) for o in planned]
    return notices


def proof_in_force(*, account: PortalAccount, customer: Customer, kind: str) -> OwnershipProof | None:
    """A verified proof of ``kind`` for the customer, recent enough to act on (for the applications)."""
    since = clock.now() - dt.timedelta(hours=portal_settings().proof_valid_hours)
    return (
        OwnershipProof.objects.filter(
            account=account,
            customer=customer,
            rule__kind=kind,
            state=ProofState.VERIFIED,
            verified_at__gte=since,
        )
        .order_by("-verified_at")
        .first()
    )


# --- applications ---------------------------------------------------------------------------------------


def application_kinds() -> list[PortalApplicationKind]:
    """The kinds a customer may start here, in the portal's order (active ones of active kinds)."""
    return list(
        PortalApplicationKind.objects.filter(is_active=True, kind__is_active=True).select_related(
            "kind", "proof_rule"
        )
    )


def application_kind(code: str) -> PortalApplicationKind:
    found = next((k for k in application_kinds() if k.kind.code == code), None)
    if found is None:
        raise NotFound(_("网上营业厅不能办理该业务。"))
    return found


def pending_proof(*, account: PortalAccount, customer: Customer, kind: str) -> OwnershipProof | None:
    """The newest proof of ``kind`` still waiting (for the code, or for the hall clerk)."""
    return (
        OwnershipProof.objects.filter(
            account=account, customer=customer, rule__kind=kind, state=ProofState.PENDING
        )
        .select_related("code", "rule")
        .order_by("-created_at", "-id")
        .first()
    )


@dataclass
class StepLine:
    name: str
    state: str  # done / current / next / skipped
    customer_side: bool
    due_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    limit_days: int = 0
    result: str = ""
    overdue: bool = False


@dataclass
class MissingDocument:
    code: str
    name: str
    reason: str = ""


@dataclass
class ReceivedDocument:
    name: str
    at: dt.datetime


@dataclass
class ApplicationTrack:
    application: Application
    steps: list[StepLine]
    process_due_at: dt.datetime | None
    process_paused: bool  # the whole process waits: the customer's turn, or the order suspended
    process_suspended: bool  # it waits because the order is suspended, not on the customer
    customer_days: float
    utility_days: float
    notice: list[str]
    received: list[ReceivedDocument]
    missing: list[MissingDocument]
    completed: bool


def _latest_runs(runs: list[ApplicationStep]) -> dict[int, ApplicationStep]:
    latest: dict[int, ApplicationStep] = {}
    for run in sorted(runs, key=lambda r: (r.round, r.started_at, r.pk)):
        latest[run.template_id] = run
    return latest


def application_track(order: WorkOrder) -> ApplicationTrack | None:
    """The application on the order in the customer's terms: every step of its kind in order, each done,
    current (by when) or still to come (its limit in working days), the whole process's due time
    (paused while it is the customer's turn), the time on each side, the documents received and those
    still missing (the 一次性告知 list and later requests, less what was received)."""
    application = application_of(order)
    if application is None:
        return None
    templates = list(application.kind.steps.order_by("seq", "id"))
    runs = app_selectors.application_steps(application)
    latest = _latest_runs(runs)
    now = clock.now()
    lines = []
    for template in templates:
        run = latest.get(template.pk)
        customer_side = template.side == StepSide.CUSTOMER
        if run is None or run.state == StepState.RETURNED:
            lines.append(
                StepLine(seeded_name(template), "next", customer_side, limit_days=template.limit_days)
            )
        elif run.state == StepState.ACTIVE:
            lines.append(
                StepLine(
                    seeded_name(template),
                    "current",
                    customer_side,
                    due_at=run.due_at,
                    limit_days=template.limit_days,
                    overdue=run.due_at < now,
                )
            )
        else:
            # a step the order's closing ended shows as such, not as one that was not needed
            ended: dict[str, str] = {StepState.DONE: "done", StepState.WITHDRAWN: "withdrawn"}
            state = ended.get(run.state, "skipped")
            lines.append(
                StepLine(seeded_name(template), state, customer_side, done_at=run.done_at, result=run.result)
            )
    standing = app_selectors.standing(application, runs)
    receipts = list(application.receipts.select_related("document").order_by("received_at", "id"))
    received_codes = {r.document.code for r in receipts}
    wanted: dict[str, MissingDocument] = {}
    for doc in app_selectors.document_names(application.notice_documents):
        wanted.setdefault(doc.code, MissingDocument(doc.code, seeded_name(doc)))
    for request in application.document_requests.select_related("document"):
        code, name = request.document.code, seeded_name(request.document)
        line = wanted.setdefault(code, MissingDocument(code, name))
        if request.reason and request.document.code not in received_codes:
            line.reason = request.reason
        if request.document.code in received_codes and request.requested_at > max(
            r.received_at for r in receipts if r.document.code == request.document.code
        ):
            received_codes.discard(request.document.code)  # asked again after it was received
    process = application.process_clock
    return ApplicationTrack(
        application=application,
        steps=lines,
        process_due_at=process.due_at if process is not None and application.state == "active" else None,
        process_paused=process is not None and process.state == "paused",
        process_suspended=application.suspended_at is not None
        and not any(s.state == StepState.ACTIVE and s.side == StepSide.CUSTOMER for s in runs),
        customer_days=round(standing["customer_seconds"] / 86400, 1),
        utility_days=round(standing["utility_seconds"] / 86400, 1),
        notice=[seeded_name(d) for d in app_selectors.document_names(application.notice_documents)],
        received=[ReceivedDocument(seeded_name(r.document), r.received_at) for r in receipts],
        missing=[m for code, m in wanted.items() if code not in received_codes],
        completed=application.state == ApplicationState.COMPLETED,
    )


# --- the hall clerk's side of the proofs ---------------------------------------------------------------


def user_staffs_hall(user: User) -> bool:
    """Whether the user's role confirms proofs in the hall (``HallProofRole`` rows: data), or a superuser."""
    if user.is_superuser:
        return True
    roles = refcache.get(
        "portal.hall_roles", lambda: set(HallProofRole.objects.values_list("role_id", flat=True))
    )
    return user.role_id is not None and user.role_id in roles


def hall_proofs_waiting(user: User) -> QuerySet[OwnershipProof]:
    """The proofs waiting for a hall clerk in the user's units (the customer's 台区 within them), those
    waiting longest first. A clerk's units lie in one company: the customers are named by it too (as
    ``customers.selectors.customer_visible`` names them), so on a database sharded by company the
    count every console page shows a clerk goes to one node."""
    qs = OwnershipProof.objects.filter(method=ProofMethod.HALL, state=ProofState.PENDING)
    scope = visible_units_filter(user, "customer__area_id")
    if scope is not None:
        qs = qs.filter(scope, customer__company_id=user_company_id(user) or 0)
    return qs.select_related("customer", "customer__area", "rule", "account").order_by("created_at", "id")


def hall_proof(user: User, pk: int) -> OwnershipProof:
    """One hall proof the user may decide on: of the user's units, else not found (404, as another unit's
    order is). A decided one is still found, so a second click is told it was done."""
    found = (
        OwnershipProof.objects.filter(pk=pk, method=ProofMethod.HALL)
        .select_related("customer", "customer__area", "rule")
        .first()
    )
    if found is None or not user_sees_unit(user, found.customer.area):
        raise NotFound(_("找不到该核验申请。"))
    return found


def latest_proof(*, account: PortalAccount, customer: Customer, kind: str) -> OwnershipProof | None:
    """The newest proof of ``kind`` the account asked for on the customer (a rejection shows its reason)."""
    return (
        OwnershipProof.objects.filter(account=account, customer=customer, rule__kind=kind)
        .select_related("verified_by")
        .order_by("-created_at", "-id")
        .first()
    )
