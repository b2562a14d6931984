"""The audit trail: who did or saw what, whose, when, from where, and why (``AuditEntry``).

The public API for the apps above ``org`` (they may import this app; ``org`` itself reaches it through
``org.extensions.security_events``):

- :func:`record` — any security-relevant event, by kind code (``kinds.KINDS``);
- :func:`record_reveal` — a masked field shown in full;
- :func:`record_export` — a list taken out of the system (CSV).

They are imported lazily here so that ``powerdesk.audit`` can be named in ``INSTALLED_APPS``.
"""

from __future__ import annotations

from typing import Any


def record(*args: Any, **kwargs: Any) -> Any:
    from powerdesk.audit.services import record as _record

    return _record(*args, **kwargs)


def record_reveal(*args: Any, **kwargs: Any) -> Any:
    from powerdesk.audit.services import record_reveal as _record_reveal

    return _record_reveal(*args, **kwargs)


def record_export(*args: Any, **kwargs: Any) -> Any:
    from powerdesk.audit.services import record_export as _record_export

    return _record_export(*args, **kwargs)
