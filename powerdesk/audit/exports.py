"""The audit trail as Excel (``core.exports`` code ``audit``): the trail page's ``AuditFilterSet``, the
columns of its CSV export, the times as date-time cells. For the roles that may read the trail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerdesk.audit import kinds
from powerdesk.audit.filters import AuditFilterSet
from powerdesk.audit.models import AuditEntry
from powerdesk.audit.selectors import audit_entries
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.exports import Exporter, Table, exporters
from powerdesk.core.xlsx import DATETIME, Column
from powerdesk.org.models import User


def audit_table(user: User, params: Mapping[str, Any]) -> Table:
    filters = AuditFilterSet(params, queryset=audit_entries(user=user))
    if not filters.is_valid():
        raise ValidationFailed(
            _("筛选条件无效，未导出。"),
            fields={name: [str(m) for m in messages] for name, messages in filters.errors.items()},
        )
    entries = filters.qs
    columns = [
        Column(_("时间"), DATETIME),
        Column(_("类别")),
        Column(_("类别代码")),
        Column(_("操作人")),
        Column(_("对象")),
        Column(_("当事人")),
        Column(_("事由"), width=24),
        Column(_("来源地址")),
        Column(_("详情"), width=40),
    ]
    return Table(
        title=str(_("审计记录")),
        columns=columns,
        rows=_rows(entries.iterator(chunk_size=2000)),
        count=entries.count(),
        filters=filters.current,
    )


def _rows(entries: Iterator[AuditEntry]) -> Iterator[list[Any]]:
    for e in entries:
        yield [
            e.at,
            kinds.label(e.kind),
            e.kind,
            e.actor_name,
            e.target,
            e.subject,
            e.reason,
            e.address or "",
            kinds.describe(e.kind, e.data),
        ]


def register() -> None:
    exporters.register(
        "audit",
        "audit",
        Exporter(
            code="audit",
            label=gettext_lazy("审计记录"),
            what=AuditEntry._meta.label_lower,
            build=audit_table,
            back="audit:list",
        ),
    )
