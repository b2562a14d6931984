"""Every write to a work order: :mod:`.intake` takes contacts, :mod:`.lifecycle` runs the transitions."""

from powerdesk.workorders.services.intake import IntakeResult, workorder_intake
from powerdesk.workorders.services.lifecycle import (
    SERVICES,
    workorder_answer,
    workorder_archive,
    workorder_arrive,
    workorder_callback,
    workorder_chase,
    workorder_dispatch,
    workorder_escalate,
    workorder_merge,
    workorder_note_add,
    workorder_reopen,
    workorder_reply,
    workorder_resolve,
    workorder_resume,
    workorder_return,
    workorder_suspend,
    workorder_take,
    workorder_transfer,
)
from powerdesk.workorders.services.repeats import repeat_candidate, repeat_rule_for

__all__ = [
    "SERVICES",
    "IntakeResult",
    "repeat_candidate",
    "repeat_rule_for",
    "workorder_answer",
    "workorder_archive",
    "workorder_arrive",
    "workorder_callback",
    "workorder_chase",
    "workorder_dispatch",
    "workorder_escalate",
    "workorder_intake",
    "workorder_merge",
    "workorder_note_add",
    "workorder_reopen",
    "workorder_reply",
    "workorder_resolve",
    "workorder_resume",
    "workorder_return",
    "workorder_suspend",
    "workorder_take",
    "workorder_transfer",
]
