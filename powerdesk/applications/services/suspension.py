"""The order's own 挂起 and 恢复 and the application's clocks (its ``transition_applied`` hook).

sla leaves these clocks to this app on suspend and resume (``sla.extensions.own_pauses``): the
whole-process clock has a pause reason of its own — a customer step running — and the two must make one
pause. A suspension with a reason that stops the clocks (``sla.services.suspend_pauses``, the same rule
as every other clock's) pauses the running steps' clocks and the whole process, and marks the application
(``suspended_at``) so steps started meanwhile wait too and a customer step ending meanwhile does not start
the whole process again; 恢复 resumes the step clocks, and the whole process unless a customer step still
runs. Each resume pushes the due time on the working-day calendar (:func:`.clocks._resume`).
"""

from __future__ import annotations

from typing import Any

from powerdesk.applications.models import Application, ApplicationState
from powerdesk.applications.services.clocks import (
    process_clock_sync,
    step_clocks_pause,
    step_clocks_resume,
)
from powerdesk.sla import services as sla_services
from powerdesk.sla.models import Clock
from powerdesk.workorders import extensions as ext

# The event's data key naming the application's clocks paused or resumed (sla names its own under "clocks").
EVENT_KEY = "app_clocks"


def _summary(clocks: list[Clock]) -> list[dict[str, Any]]:
    return [{"kind": c.kind, "to": c.state, "due_at": c.due_at.isoformat()} for c in clocks]


def clocks_on_suspension(context: ext.TransitionContext) -> None:
    """Pause or resume the application's clocks with the order (see the module doc). Runs before sla's
    hook, so the order's due time sla sets reads these clocks as they are now."""
    if context.code not in ("suspend", "resume"):
        return
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("process_clock__policy")
        .filter(order=context.order, state=ApplicationState.ACTIVE)
        .first()
    )
    if application is None:
        return
    at = context.at
    process = application.process_clock
    before = process.state if process is not None else None
    if context.code == "suspend":
        if application.suspended_at is not None or not sla_services.suspend_pauses(
            context.inputs.get("reason_code")
        ):
            return
        application.suspended_at = at
        moved = step_clocks_pause(application, at)
    else:
        application.suspended_at = None
        moved = step_clocks_resume(application, at)
    application.save(update_fields=["suspended_at"])
    process_clock_sync(application, at)
    if process is not None and process.state != before:
        moved.append(process)
    if moved:
        context.event_data[EVENT_KEY] = _summary(moved)
