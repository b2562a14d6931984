"""Writes of the applications app: one service per intent, keyword-only, one transaction each, one
timeline event per change (:func:`.record.order_changed`), side effects (the marketing system's
notification, the customer's SMS) enqueued in the same transaction.

- :mod:`.templates`: a kind's step template read for the rules, and its 一次性告知 list;
- :mod:`.clocks`: the step and whole-process clocks (``sla.Clock`` rows the sweep warns and breaches like
  any other), started, paused, resumed and closed;
- :mod:`.acting`: who may move a step — its role, and a unit of its level on the order's unit path;
- :mod:`.steps`: :func:`application_start`, :func:`application_step_complete`,
  :func:`application_step_return`;
- :mod:`.documents`: :func:`application_document_request` (一次性告知 enforced),
  :func:`application_document_receive` and the upload checks;
- :mod:`.kind_change`: :func:`application_kind_change`, a wrongly taken kind put right by a person.

Whoever writes a clock holds the order's row lock first (the sweep relies on it).
"""

from powerdesk.applications.services.acting import (
    RECORD_RIGHT,
    StepActors,
    may_act_on,
    step_actors,
    step_refusal,
    steps_actors,
)
from powerdesk.applications.services.documents import (
    PHOTO_EXTENSIONS,
    application_document_receive,
    application_document_request,
    document_attachment_kind,
    document_upload_check,
    documents_by_code,
)
from powerdesk.applications.services.kind_change import (
    KIND_RIGHT,
    application_kind_change,
    kind_change_refusal,
)
from powerdesk.applications.services.record import (
    DOCUMENT_RECEIVED,
    DOCUMENT_REQUESTED,
    KIND_CHANGED,
    STARTED,
    STEP_DONE,
    STEP_RETURNED,
)
from powerdesk.applications.services.steps import (
    application_start,
    application_step_complete,
    application_step_return,
    step_missing_documents,
)
from powerdesk.applications.services.templates import kind_notice, kind_steps

__all__ = [
    "DOCUMENT_RECEIVED",
    "DOCUMENT_REQUESTED",
    "KIND_CHANGED",
    "KIND_RIGHT",
    "PHOTO_EXTENSIONS",
    "RECORD_RIGHT",
    "STARTED",
    "STEP_DONE",
    "STEP_RETURNED",
    "StepActors",
    "application_document_receive",
    "application_document_request",
    "application_kind_change",
    "application_start",
    "application_step_complete",
    "application_step_return",
    "document_attachment_kind",
    "document_upload_check",
    "documents_by_code",
    "kind_change_refusal",
    "kind_notice",
    "kind_steps",
    "may_act_on",
    "step_actors",
    "step_missing_documents",
    "step_refusal",
    "steps_actors",
]
