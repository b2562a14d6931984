"""Every write to a work order: :mod:`.intake` takes contacts; the transitions live in :mod:`.handling`,
:mod:`.closing`, :mod:`.holds` and :mod:`.records`, and :mod:`.lifecycle` maps each transition code to
its service."""

from powerdesk.workorders.services.closing import (
    workorder_answer,
    workorder_archive,
    workorder_callback,
    workorder_cancel_by_customer,
    workorder_merge,
    workorder_reopen,
)
from powerdesk.workorders.services.handling import (
    workorder_arrive,
    workorder_dispatch,
    workorder_reply,
    workorder_resolve,
    workorder_return,
    workorder_take,
    workorder_transfer,
)
from powerdesk.workorders.services.holds import (
    workorder_chase,
    workorder_escalate,
    workorder_resume,
    workorder_suspend,
)
from powerdesk.workorders.services.intake import IntakeResult, workorder_intake
from powerdesk.workorders.services.lifecycle import SERVICES
from powerdesk.workorders.services.records import workorder_call_out, workorder_note_add, workorder_reclassify
from powerdesk.workorders.services.repeats import repeat_candidate, repeat_rule_for, repeat_suggestion

__all__ = [
    "SERVICES",
    "IntakeResult",
    "repeat_candidate",
    "repeat_rule_for",
    "repeat_suggestion",
    "workorder_answer",
    "workorder_archive",
    "workorder_arrive",
    "workorder_call_out",
    "workorder_callback",
    "workorder_cancel_by_customer",
    "workorder_chase",
    "workorder_dispatch",
    "workorder_escalate",
    "workorder_intake",
    "workorder_merge",
    "workorder_note_add",
    "workorder_reclassify",
    "workorder_reopen",
    "workorder_reply",
    "workorder_resolve",
    "workorder_resume",
    "workorder_return",
    "workorder_suspend",
    "workorder_take",
    "workorder_transfer",
]
