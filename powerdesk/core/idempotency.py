"""Idempotency-Key: one home for what makes two requests under one key "the same request".

A request that carries a key is stored with its fingerprint (a digest of who sent what: the caller, the
action, its input, the version it expected). A later request with the key is a retry when its fingerprint
is the same (answered with the stored result, nothing written again) and a misuse otherwise: the same key
with another action, another body or another caller is refused with 409 ``idempotency_key_reused``
(:class:`~powerdesk.core.errors.IdempotencyMismatch`), never silently taken for the first request.
Intake stores the fingerprint on its contact, a transition on its timeline event.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils.translation import gettext as _

from powerdesk.core.errors import IdempotencyMismatch


def fingerprint(payload: Any) -> str:
    """A stable digest of a JSON-like ``payload`` (keys sorted; anything else by its ``str``)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def mismatch() -> IdempotencyMismatch:
    return IdempotencyMismatch(_("该幂等键已用于另一个不同内容的请求。"))


def require_same_request(stored: str, incoming: str) -> None:
    """Refuse (409) a request whose key was stored with another fingerprint. A row written without one
    (before fingerprints were kept, or by a path that keeps none) matches nothing."""
    if not stored or stored != incoming:
        raise mismatch()
