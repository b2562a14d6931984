"""The demo's applications: a handful taken in the hall over the last weeks and moved step by step through
the applications services, so the dispatcher's view, the order page's panel and the clocks have something
to show — one waiting for the customer's works, one sent back, one with a document asked for off the
list (with its reason), one completed, and a few at their first step (one of them overdue)."""

from __future__ import annotations

import datetime as dt

from powerdesk.applications.models import (
    ApplicationKind,
    ApplicationStep,
    DocumentType,
    ReturnReason,
    StepState,
    StepTemplate,
)
from powerdesk.applications.services import (
    application_document_request,
    application_start,
    application_step_complete,
    application_step_return,
    step_actors,
    step_refusal,
)
from powerdesk.core import clock
from powerdesk.customers.models import Customer, CustomerType
from powerdesk.org.models import Unit, UnitKind, User
from powerdesk.workorders.choices import Channel
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services import workorder_dispatch

RESIDENTIAL = (CustomerType.URBAN_RESIDENT, CustomerType.RURAL_RESIDENT)

# kind, residential customer?, days before now it was taken, then (step code, days later, result)
PLANS: list[tuple[str, bool, int, list[tuple[str, float, str]]]] = [
    ("lv_resident", True, 1, []),
    ("ev_charger", True, 9, [("survey", 1.2, "车位具备安装条件，已告知客户安装要求")]),
    ("lv_business", False, 14, [("scheme", 1.5, "供电方案已答复，客户开始内部施工")]),
    ("rename", True, 12, [("verify", 0.8, "资料齐全"), ("change", 1.1, "营销系统已完成更名")]),
    ("transfer", True, 6, [("verify", 1.0, "资料齐全，待客户结清电费")]),
    ("meter_test", True, 11, []),  # left at its first step, past its limit
    ("pv", False, 20, [("scheme", 6.0, "接入方案已答复")]),
]


def _station(customer: Customer) -> Unit | None:
    unit: Unit | None = customer.area
    while unit is not None and unit.kind != UnitKind.STATION:
        unit = unit.parent
    return unit


def _manager() -> User | None:
    return User.objects.filter(role__code="manager", is_active=True).order_by("id").first()


def _seeing(role: str, unit: Unit | None) -> User | None:
    """The first active user of ``role`` who sees ``unit``, else the service manager."""
    from powerdesk.org.selectors import user_sees_unit

    for user in User.objects.filter(role__code=role, is_active=True).order_by("id")[:50]:
        if user_sees_unit(user, unit):
            return user
    return _manager()


def _clerk(customer: Customer) -> User | None:
    """An agent of the customer's county (the hall clerk), else the service manager."""
    return _seeing("agent", customer.area)


def _doer(step: ApplicationStep) -> User | None:
    """Whoever the step's template names (its role, at the unit of its level on the order's path): the
    first such user, as a clerk at the hall would hand it on."""
    # read again: the application's cached order may predate its dispatch to the station
    order = WorkOrder.objects.select_related("unit").get(pk=step.application.order_id)
    actors = step_actors(order, step.template)
    users = User.objects.filter(is_active=True, unit__in=actors.units).select_related("role", "unit")
    return next((u for u in users.order_by("id") if step_refusal(u, order, step.template) is None), None)


# Why the demo's steps are done without received copies: a document's file goes in by its own durable
# transaction (``attachment_add``), which cannot run inside the demo loader's one transaction; the hall
# verified the originals instead, and records so (the step-done event carries it).
SHOWN = "客户已当面出示原件，已在营销系统核验"


def _finish(step: ApplicationStep, actor: User, result: str) -> None:
    """Complete ``step``; the documents it requires, if any, shown at the counter (the reason recorded)."""
    application_step_complete(step=step, actor=actor, result=result, document_reason=SHOWN)


def build_applications(now: dt.datetime) -> int:
    """Start the planned applications (as of their day) and move their steps; how many were started."""
    manager = _manager()
    if manager is None:
        return 0
    residential = list(Customer.objects.filter(customer_type__in=RESIDENTIAL).order_by("id")[:20])
    others = list(Customer.objects.exclude(customer_type__in=RESIDENTIAL).order_by("id")[:20])
    started = 0
    for i, (code, wants_residential, days_ago, moves) in enumerate(PLANS):
        pool = residential if wants_residential else others
        if not pool:
            continue
        customer = pool[i % len(pool)]
        actor = _clerk(customer)
        station = _station(customer)
        if actor is None or station is None:
            continue
        taken = now - dt.timedelta(days=days_ago, hours=-1)
        with clock.at(taken):
            application = application_start(
                actor=actor,
                kind=ApplicationKind.objects.get(code=code),
                customer=customer,
                channel=Channel.HALL,
                notice_channel="printed" if i % 2 else "sms",
            )
            dispatcher = _seeing("dispatcher", station) or manager
            workorder_dispatch(order=application.order, actor=dispatcher, unit=station)
        started += 1
        for step_code, days_later, result in moves:
            step = application.steps.get(template__code=step_code, state=StepState.ACTIVE)
            with clock.at(taken + dt.timedelta(days=days_later)):
                _finish(step, _doer(step) or manager, result)
        if code == "transfer":  # a document asked for that was not on the list, with its reason
            with clock.at(taken + dt.timedelta(days=2)):
                application_document_request(
                    application=application,
                    actor=manager,
                    document=DocumentType.objects.get(code="agent_letter"),
                    reason="原户主委托他人到厅办理，需补交委托书",
                )
        if code == "ev_charger":  # the works done, then the connection sent back to the survey
            with clock.at(taken + dt.timedelta(days=5)):
                works = application.steps.get(template__code="customer_works", state=StepState.ACTIVE)
                doer = _doer(works) or manager
                application_step_complete(step=works, actor=doer, result="客户已安装充电桩")
            with clock.at(taken + dt.timedelta(days=6)):
                connect = application.steps.get(template__code="connect", state=StepState.ACTIVE)
                application_step_return(
                    step=connect,
                    actor=_doer(connect) or manager,
                    to_template=StepTemplate.objects.get(kind=application.kind, code="survey"),
                    reason=ReturnReason.objects.get(code="site"),
                    note="充电桩安装位置与勘查方案不一致，需重新勘查",
                )
    return started
