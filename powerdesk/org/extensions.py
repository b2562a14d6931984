"""What the apps above ``org`` plug into it: the recorders of security events (the audit trail
registers one). ``org`` itself never imports them; it reports through :func:`security_event`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from powerdesk.core.extensions import Registry

# recorder(kind, actor, *, target=…, subject=…, reason=…, request=…, data=…)
security_events: Registry[Callable[..., Any]] = Registry("security_events")


def security_event(kind: str, actor: Any, **details: Any) -> None:
    """Report a security-relevant event (a token made or revoked …) to every registered recorder, in
    the caller's transaction."""
    for recorder in security_events:
        recorder(kind, actor, **details)
