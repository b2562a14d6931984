"""Reads of the applications app, permission-scoped through the order's visibility
(``workorders.selectors.order_visible``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from powerdesk.applications import rules
from powerdesk.applications.models import (
    Application,
    ApplicationState,
    ApplicationStep,
    DocumentReceipt,
    DocumentRequest,
    DocumentType,
    StepSide,
    StepState,
    StepTemplate,
)
from powerdesk.core import clock
from powerdesk.core.errors import NotFound
from powerdesk.org.models import User
from powerdesk.workorders.choices import CLOSED_STATUSES
from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.selectors import order_visible


def application_of(order: WorkOrder) -> Application | None:
    # The process clock is joined in the order's company (the key of the clocks on a database sharded by
    # company); an application without one yet is found all the same.
    in_company = Q(process_clock__isnull=True) | Q(process_clock__company_id=order.company_id)
    return (
        Application.objects.select_related("kind", "process_clock", "notice_given_by")
        .filter(in_company, order=order)
        .first()
    )


def applications_visible(user: User) -> QuerySet[Application]:
    return Application.objects.filter(order__in=order_visible(user)).select_related(
        "kind", "order", "process_clock"
    )


def application_get(*, user: User, number: str) -> Application:
    found = applications_visible(user).filter(order__number=number).first()
    if found is None:
        raise NotFound("找不到该业务办理。")
    return found


def application_steps(application: Application) -> list[ApplicationStep]:
    return list(
        application.steps.select_related("template__role", "clock", "done_by", "return_reason").order_by(
            "started_at", "id"
        )
    )


def steps_by_due(user: User, *, kind: str = "", step: str = "") -> QuerySet[ApplicationStep]:
    """The dispatcher's view: running steps of the open applications the user sees, those about to exceed
    their step limit first (soonest due; the partial index ``appstep_active_due``)."""
    qs = (
        ApplicationStep.objects.filter(state=StepState.ACTIVE, application__order__in=order_visible(user))
        # a closed order's steps are withdrawn with it; this also keeps out any left from before that rule
        .exclude(application__order__status__in=CLOSED_STATUSES)
    ).select_related("template__role", "application__kind", "application__order__unit", "clock")
    if kind:
        qs = qs.filter(application__kind__code=kind)
    if step:
        qs = qs.filter(template__code=step)
    return qs.order_by("due_at", "id")


def step_choices(kind: str = "") -> list[StepTemplate]:
    """The steps the dispatcher's view filters by: one template per step code (a code several kinds share,
    装表接电, is one choice), of ``kind`` when one is chosen, in the kinds' and the steps' order."""
    templates = StepTemplate.objects.filter(kind__is_active=True).select_related("kind")
    if kind:
        templates = templates.filter(kind__code=kind)
    seen: dict[str, StepTemplate] = {}
    for template in templates.order_by("kind__sort_order", "kind__code", "seq", "id"):
        seen.setdefault(template.code, template)
    return list(seen.values())


def late_document_requests(user: User, customer_id: int) -> list[DocumentRequest]:
    """The 补件 requests for documents that were not on the 一次性告知 list, on the applications of one
    customer that ``user`` sees, newest first, each with its reason, who asked and when: what a complaint
    handler reads beside a complaint of that customer (一次性告知不到位 is a complaint of its own)."""
    return list(
        DocumentRequest.objects.filter(
            on_notice=False,
            application__order__customer_id=customer_id,
            application__order__in=order_visible(user),
        )
        .select_related("document", "requested_by", "application__kind", "application__order")
        .order_by("-requested_at", "-id")
    )


def document_names(codes: list[str]) -> list[DocumentType]:
    by_code = {d.code: d for d in DocumentType.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def customer_wait_seconds(application: Application, steps: list[ApplicationStep], now: dt.datetime) -> int:
    """The customer's waiting time: the recorded customer steps and a customer step running now."""
    running = sum(
        int((now - s.started_at).total_seconds())
        for s in steps
        if s.state == StepState.ACTIVE and s.side == StepSide.CUSTOMER
    )
    return application.customer_wait_seconds + max(0, running)


def standing(application: Application, steps: list[ApplicationStep]) -> dict[str, int]:
    """Utility side and customer side of the whole process, in seconds, as of now (or the end: its
    completion, or the closing of its order, which ended its last steps)."""
    until = application.completed_at or clock.now()
    if application.state == ApplicationState.WITHDRAWN:
        until = max((s.done_at for s in steps if s.done_at is not None), default=until)
    customer = customer_wait_seconds(application, steps, until)
    return {
        "customer_seconds": customer,
        "utility_seconds": rules.utility_seconds(
            started_at=application.started_at, until=until, customer_seconds=customer
        ),
    }


def steps_documents(
    application: Application, steps: list[ApplicationStep]
) -> dict[int, list[tuple[DocumentType, DocumentReceipt | None]]]:
    """For each of ``steps`` (by its id): the documents its template requires, each with its latest
    receipt for that step (any of its runs, as :func:`.services.steps.step_missing_documents` counts
    them) or None while it is missing. Two queries, whatever the number of steps."""
    templates = {s.template_id for s in steps}
    required: dict[int, list[DocumentType]] = {t: [] for t in templates}
    through = StepTemplate.documents.through.objects.filter(steptemplate_id__in=templates)
    for row in through.select_related("documenttype").order_by("documenttype_id"):
        required[row.steptemplate_id].append(row.documenttype)
    latest: dict[tuple[int, int], DocumentReceipt] = {}
    receipts = application.receipts.filter(step__template_id__in=templates).select_related(
        "step", "attachment", "received_by"
    )
    for receipt in receipts.order_by("received_at", "id"):
        latest[(receipt.step.template_id, receipt.document_id)] = receipt
    return {
        s.pk: [(doc, latest.get((s.template_id, doc.pk))) for doc in required[s.template_id]] for s in steps
    }
