"""The service behind each transition code, for the console and API dispatchers (and the demo's replay).

Each service runs in one transaction, locks the order row, checks the caller's version, the state machine
and the caller's role, then writes the change and exactly one timeline event
(:func:`powerdesk.workorders.services.engine.apply_transition`). They live by what they do to the order:
:mod:`.handling`, :mod:`.closing`, :mod:`.holds`, :mod:`.records`.
"""

from __future__ import annotations

from collections.abc import Callable

from powerdesk.workorders.models import WorkOrder
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
from powerdesk.workorders.services.records import workorder_call_out, workorder_note_add, workorder_reclassify

SERVICES: dict[str, Callable[..., WorkOrder]] = {
    "dispatch": workorder_dispatch,
    "take": workorder_take,
    "arrive": workorder_arrive,
    "resolve": workorder_resolve,
    "reply": workorder_reply,
    "callback": workorder_callback,
    "archive": workorder_archive,
    "answer": workorder_answer,
    "cancel_by_customer": workorder_cancel_by_customer,
    "transfer": workorder_transfer,
    "return": workorder_return,
    "suspend": workorder_suspend,
    "resume": workorder_resume,
    "chase": workorder_chase,
    "escalate": workorder_escalate,
    "merge": workorder_merge,
    "reopen": workorder_reopen,
    "note": workorder_note_add,
    "reclassify": workorder_reclassify,
    "call_out": workorder_call_out,
}
