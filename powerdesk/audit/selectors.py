"""Reading the audit trail: only for those whose role may (``org.selectors.user_may_read_audit``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from powerdesk.audit.models import AuditEntry
from powerdesk.core.errors import NotPermitted
from powerdesk.org.models import User
from powerdesk.org.selectors import user_may_read_audit


def audit_entries(*, user: User) -> QuerySet[AuditEntry]:
    """Every entry, newest first; :class:`NotPermitted` for a user who may not read the trail."""
    if not user_may_read_audit(user):
        raise NotPermitted(_("您的角色不能查阅审计记录。"))
    return AuditEntry.objects.order_by("-at", "-id")
