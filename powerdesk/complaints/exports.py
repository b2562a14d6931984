"""The rectification list as Excel (``core.exports`` code ``rectifications``): the list page's rows
(the units the user sees and what they own, the same state filter), overdue ones marked by the rule."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from powerdesk.complaints import rules, selectors
from powerdesk.complaints.models import Rectification, RectificationState
from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.exports import Exporter, Table, exporters
from powerdesk.core.xlsx import DATE, DATETIME, Column
from powerdesk.org.models import User


def rectifications_table(user: User, params: Mapping[str, Any]) -> Table:
    state = params.get("state", "") or ""
    if state and state not in RectificationState.values:
        raise ValidationFailed(_("筛选条件无效，未导出。"), fields={"state": [_("状态无效。")]})
    rows = selectors.rectification_list(user=user, state=state)
    columns = [
        Column(_("工单编号"), width=16),
        Column(_("整改内容"), width=40),
        Column(_("责任单位"), width=14),
        Column(_("整改负责人")),
        Column(_("整改期限"), DATE),
        Column(_("状态"), width=8),
        Column(_("逾期"), width=6),
        Column(_("整改结果"), width=30),
        Column(_("创建时间"), DATETIME),
    ]
    return Table(
        title=str(_("整改跟踪")),
        columns=columns,
        rows=_rows(rows.iterator(chunk_size=2000)),
        count=rows.count(),
        filters={"state": state} if state else {},
    )


def _rows(rectifications: Iterator[Rectification]) -> Iterator[list[Any]]:
    today = clock.local_date()
    states = {value: str(label) for value, label in RectificationState.choices}
    overdue = _("逾期")
    for x in rectifications:
        late = rules.rectification_overdue(
            is_open=x.state == RectificationState.OPEN, due_date=x.due_date, today=today
        )
        yield [
            x.order.number,
            x.task,
            x.unit.name if x.unit else "",
            x.owner.display_name if x.owner else "",
            x.due_date,
            states.get(x.state, x.state),
            overdue if late else "",
            x.result,
            x.created_at,
        ]


def register() -> None:
    exporters.register(
        "complaints",
        "rectifications",
        Exporter(
            code="rectifications",
            label=gettext_lazy("整改跟踪"),
            what="complaints.rectification",
            build=rectifications_table,
            back="complaints:rectifications",
        ),
    )
