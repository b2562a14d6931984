"""Writing the audit trail: one function, :func:`record`, and the two the masking and exports call.

An entry joins the caller's transaction: a change rolled back leaves no entry, and an entry cannot be
lost while its change stays. Where the request is not passed, the one being served is used
(:mod:`powerdesk.audit.middleware`); its client address comes from :func:`powerdesk.core.net.client_address`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from powerdesk.audit.kinds import KINDS
from powerdesk.audit.middleware import current_request
from powerdesk.audit.models import AuditEntry
from powerdesk.core import clock
from powerdesk.core.net import client_address


def object_key(obj: Model | str | None) -> str:
    """How an entry names a row: ``app_label.model:pk`` (``sla.slapolicy:12``), or the text given."""
    if obj is None:
        return ""
    if isinstance(obj, Model):
        return f"{obj._meta.label_lower}:{obj.pk}"
    return str(obj)


def record(
    kind: str,
    actor: Any,
    *,
    target: Model | str | None = "",
    subject: str = "",
    reason: str = "",
    request: Any = None,
    data: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> AuditEntry:
    """Append an entry of ``kind`` (a code of ``kinds.KINDS``) by ``actor`` (a user, or None for the
    system or an unknown caller): about ``target`` (what), ``subject`` (whose: a login name, an
    account number), ``reason`` (why, as the user gave it) and ``data`` (codes and values, never a
    sentence). ``actor_name`` defaults to the actor's login name."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}: add it to powerdesk.audit.kinds.KINDS")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # the anonymous user
    request = request if request is not None else current_request()
    return AuditEntry.objects.create(
        at=clock.now(),
        kind=kind,
        actor=actor,
        actor_name=(actor_name if actor_name is not None else (actor.get_username() if actor else ""))[:150],
        target=object_key(target)[:200],
        subject=str(subject or "")[:200],
        reason=str(reason or "")[:500],
        address=client_address(request) if request is not None else None,
        data=data or {},
    )


def record_reveal(
    actor: Any, *, field: str, subject: str, reason: str, target: Model | str | None = "", request: Any = None
) -> AuditEntry:
    """A masked field shown in full: ``field`` (e.g. ``customers.customer.phone``), whose record
    (``subject``, e.g. the account number), why (``reason``, as the user typed it)."""
    return record(
        "reveal",
        actor,
        target=target or field,
        subject=subject,
        reason=reason,
        request=request,
        data={"field": field},
    )


def record_export(
    actor: Any,
    *,
    what: str,
    rows: int,
    filters: dict[str, Any] | None = None,
    reason: str = "",
    request: Any = None,
) -> AuditEntry:
    """A list taken out of the system: ``what`` (e.g. ``audit``, ``workorders``), how many rows, with
    which filters."""
    return record(
        "export",
        actor,
        target=what,
        reason=reason,
        request=request,
        data={"rows": rows, "filters": filters or {}},
    )
