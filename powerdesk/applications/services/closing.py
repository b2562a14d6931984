"""An application's order leaving the process: when a customer may still withdraw it, and what happens to
its steps when the order closes (cancelled by the customer, archived or merged) or is reclassified as
another business type.

Both plug into the order's own transitions (:mod:`powerdesk.applications.extension`), so the portal,
the console and the API see one rule and the order's one transition event records the change."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from powerdesk.applications.models import (
    Application,
    ApplicationState,
    ApplicationStep,
    StepSide,
    StepState,
)
from powerdesk.applications.services.clocks import clock_close, customer_step_seconds
from powerdesk.sla.models import ClockState
from powerdesk.workorders import extensions as ext
from powerdesk.workorders.choices import CLOSED_STATUSES, BusinessType
from powerdesk.workorders.models import WorkOrder


def application_started(application: Application) -> bool:
    """Whether the utility's work on ``application`` is under way: a step done, or a step past the
    first group running (a return to the first group keeps the later rows, so they count too)."""
    steps = application.steps.all()
    if steps.filter(state=StepState.DONE).exists():
        return True
    first = min(steps.values_list("seq", flat=True), default=None)
    return first is not None and steps.filter(seq__gt=first).exists()


def cancel_refusal(order: WorkOrder, code: str) -> str | None:
    """The customer's withdrawal (``cancel_by_customer``) is refused once the application is under way:
    the one rule the portal's button, the API and the service read (``transition_refusals``)."""
    if code != "cancel_by_customer":
        return None
    application = Application.objects.filter(order=order).first()
    if application is not None and application_started(application):
        return _("业务办理已开始，不能撤销。")
    return None


def _leaves(context: ext.TransitionContext) -> bool:
    """Whether the transition takes the order out of the application process: it closes the order, or
    reclassifies it as something other than 业务办理 (a complaint taken as an application: its steps and
    clocks must not run on, nor breach, under the new type)."""
    if context.order.status in CLOSED_STATUSES:
        return True
    return context.code == "reclassify" and context.order.business_type != BusinessType.APPLICATION


def steps_end_on_close(context: ext.TransitionContext) -> None:
    """When a transition closes an application's order, or reclassifies it out of 业务办理, its running
    steps are withdrawn and their clocks (and the whole-process clock) cancelled; a customer step's time
    up to then is added to the customer's waiting time, as when it is done; the transition's one event
    names them (``app_steps_withdrawn``). The order row is already locked by the transition."""
    if not _leaves(context):
        return
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("process_clock")
        .filter(order=context.order)
        .first()
    )
    if application is None:
        return
    running = list(
        ApplicationStep.objects.select_for_update(of=("self",))
        .select_related("template", "clock")
        .filter(application=application, state=StepState.ACTIVE)
        .order_by("seq", "id")
    )
    withdrawn: list[dict[str, Any]] = []
    changed: list[str] = []
    for step in running:
        step.state = StepState.WITHDRAWN
        step.done_at = context.at
        step.save(update_fields=["state", "done_at"])
        clock_close(step.clock, ClockState.CANCELLED, context.at)
        withdrawn.append({"step": step.template.code, "round": step.round})
        if step.side == StepSide.CUSTOMER:
            # the customer's time up to the closing is theirs, as when a customer step is done
            application.customer_wait_seconds += customer_step_seconds(step, context.at)
            changed.append("customer_wait_seconds")
    if application.state == ApplicationState.ACTIVE:
        application.state = ApplicationState.WITHDRAWN
        application.suspended_at = None
        changed += ["state", "suspended_at"]
        clock_close(application.process_clock, ClockState.CANCELLED, context.at)
    if changed:
        application.save(update_fields=sorted(set(changed)))
    if withdrawn:
        context.event_data["app_steps_withdrawn"] = withdrawn
