"""The one domain error type that services raise; the API and console map it to a response.

``code`` is stable (clients match on it); ``message`` is translated for people; ``fields``
carries per-field messages when the error is about input.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "invalid"
    http_status = 400

    def __init__(self, message: Any, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.fields = fields or {}


class ValidationFailed(DomainError):
    code = "validation_error"
    http_status = 400


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    http_status = 409


class VersionConflict(DomainError):
    code = "version_conflict"
    http_status = 409


class IdempotencyMismatch(DomainError):
    code = "idempotency_key_reused"
    http_status = 409


class NotPermitted(DomainError):
    code = "permission_denied"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class ServiceUnavailable(DomainError):
    """The database cannot be reached right now (``powerdesk.core.unavailable``): try again shortly."""

    code = "service_unavailable"
    http_status = 503


class StorageFull(DomainError):
    """The disk of the uploaded files is full (``powerdesk.core.storage``): nothing was stored."""

    code = "storage_full"
    http_status = 507
