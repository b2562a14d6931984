"""Writes of the portal: :mod:`.access` (sign-in by one-time code, the session, consent, binding
accounts) on the codes and throttles of :mod:`powerdesk.portal.codes`; :mod:`.proofs` (proof of ownership);
:mod:`.orders` (reports through the agents' intake, the customer's cancellation) and
:mod:`.applications`. The views call them as ``services.<name>``."""

from powerdesk.portal.codes import Throttled
from powerdesk.portal.services.access import (
    SESSION_SALT,
    binding_create,
    binding_remove,
    consent_record,
    session_end,
    sign_in_code_request,
    sign_in_verify,
)
from powerdesk.portal.services.applications import application_document_upload, application_submit
from powerdesk.portal.services.orders import order_cancel, portal_actor, report_submit
from powerdesk.portal.services.proofs import (
    proof_confirm_in_hall,
    proof_reject_in_hall,
    proof_start,
    proof_verify,
)

__all__ = [
    "SESSION_SALT",
    "Throttled",
    "application_document_upload",
    "application_submit",
    "binding_create",
    "binding_remove",
    "consent_record",
    "order_cancel",
    "portal_actor",
    "proof_confirm_in_hall",
    "proof_reject_in_hall",
    "proof_start",
    "proof_verify",
    "report_submit",
    "session_end",
    "sign_in_code_request",
    "sign_in_verify",
]
