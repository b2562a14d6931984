"""The service behind each transition code, for the console and API dispatchers (and the demo's replay).

Each service runs in one transaction, locks the order row, checks the caller's version, the state machine
and the caller's role, then writes the change and exactly one timeline event
(:func:`powerdesk.workorders.services.engine.apply_transition`). They live by what they do to the order:
:mod:`.handling`, :mod:`.closing`, :mod:`.holds`, :mod:`.records`.
"""

from __future__ import annotations

from collections.abc import Callable

from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services import closing, handling, holds, records

SERVICES: dict[str, Callable[..., WorkOrder]] = {
    "dispatch": handling.workorder_dispatch,
    "take": handling.workorder_take,
    "arrive": handling.workorder_arrive,
    "resolve": handling.workorder_resolve,
    "reply": handling.workorder_reply,
    "callback": closing.workorder_callback,
    "archive": closing.workorder_archive,
    "answer": closing.workorder_answer,
    "cancel_by_customer": closing.workorder_cancel_by_customer,
    "transfer": handling.workorder_transfer,
    "return": handling.workorder_return,
    "suspend": holds.workorder_suspend,
    "resume": holds.workorder_resume,
    "chase": holds.workorder_chase,
    "escalate": holds.workorder_escalate,
    "merge": closing.workorder_merge,
    "reopen": closing.workorder_reopen,
    "note": records.workorder_note_add,
    "reclassify": records.workorder_reclassify,
    "call_out": records.workorder_call_out,
}
